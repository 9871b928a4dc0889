"""`fusioncell osint ...`: ingest feeds and article folders from the command line."""

import typer

osint_app = typer.Typer(help="Open-source monitoring: ingest feeds and article folders.", no_args_is_help=True)
