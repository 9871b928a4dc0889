"""The Jinja2 environment of the web UI (autoescaping on, as Starlette sets it for .html)."""

from importlib.resources import files

from fastapi.templating import Jinja2Templates

templates = Jinja2Templates(directory=str(files("fusioncell.web") / "templates"))
