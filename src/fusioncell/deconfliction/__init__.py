"""Deconfliction notices: planned activity notified ahead, what the server finds about it, acknowledgements."""
