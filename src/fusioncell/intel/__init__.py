"""The intelligence desk: graded reports released party by party (STIX 2.1, TAXII 2.1)."""
