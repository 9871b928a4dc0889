"""The Jinja2 environment of the web UI (autoescaping on, as Starlette sets it for .html)."""

from importlib.resources import files

from fastapi.templating import Jinja2Templates

from fusioncell.access.policies import can_manage_webhooks

templates = Jinja2Templates(directory=str(files("fusioncell.web") / "templates"))
# The top bar links a page only for those its routes admit: the same policy, not a second rule.
templates.env.globals["can_manage_webhooks"] = can_manage_webhooks
