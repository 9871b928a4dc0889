"""fusioncell: a joint fusion mechanism with a record nobody can rewrite unnoticed."""

__version__ = "0.1.0"
