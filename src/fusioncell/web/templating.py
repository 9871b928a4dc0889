"""The Jinja2 environment of the web UI (autoescaping on, as Starlette sets it for .html).

Templates mark their words with `_()` (and `ngettext`) from the i18n extension; the callables read the
request's language from fusioncell.i18n, which `render` sets around each page.
"""

from importlib.resources import files

from fastapi.templating import Jinja2Templates
from jinja2 import pass_context

from fusioncell import i18n, translation
from fusioncell.access.policies import can_manage_webhooks
from fusioncell.glossary.highlight import glossed
from fusioncell.i18n import formats

templates = Jinja2Templates(directory=str(files("fusioncell.web") / "templates"))
templates.env.add_extension("jinja2.ext.i18n")
templates.env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)
# The top bar links a page only for those its routes admit: the same policy, not a second rule.
templates.env.globals["can_manage_webhooks"] = can_manage_webhooks
templates.env.globals["current_language"] = i18n.current_language
templates.env.globals["text_direction"] = i18n.text_direction
templates.env.globals["languages"] = i18n.NATIVE_NAMES


def in_language(names):
    """A cell-defined name (en, ar, he) in the page's language."""
    return names.get(i18n.current_language())


templates.env.globals["in_language"] = in_language


def _cell_zone(context) -> str | None:
    cell = context.get("cell")
    return getattr(cell, "timezone", None)


def _zoned(format_in_zone):
    """A filter that writes a moment in the cell's time zone (from the page's `cell`)."""

    @pass_context
    def zoned(context, value, *args, **kwargs):
        return "" if value is None else format_in_zone(value, _cell_zone(context), *args, **kwargs)

    return zoned


def _plain(format_value):
    def plain(value, *args, **kwargs):
        return "" if value is None else format_value(value, *args, **kwargs)

    return plain


templates.env.filters |= {
    "moment": _zoned(formats.moment_local),
    "day": _zoned(formats.day),
    "clock": _zoned(formats.clock),
    "time_of_day": _zoned(formats.time_of_day),
    "moment_utc": _plain(formats.moment_utc),
    "clock_utc": _plain(formats.clock_utc),
    "month": _plain(formats.month),
    "number": formats.number,
    "percent": formats.percent,
}
# The agreed glossary's terms marked in messages, statements and reports (glossary/highlight.py).
templates.env.filters["glossed"] = glossed
# The language pairs of installed machine-translation models; empty (and the feature absent) without one.
templates.env.globals["machine_translation"] = translation.offered
