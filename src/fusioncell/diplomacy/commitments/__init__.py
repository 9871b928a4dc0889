"""The diplomatic desk's register of commitments and their implementation."""
