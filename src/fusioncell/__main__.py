"""`python -m fusioncell` runs the CLI."""

from fusioncell.cli import app

app()
