"""`python -m fusioncell.witness` runs the witness commands without the main CLI."""

from fusioncell.witness.cli import witness_app

witness_app(prog_name="fusioncell witness")
