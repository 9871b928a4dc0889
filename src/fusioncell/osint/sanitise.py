"""Article HTML made safe to render as is, and its plain text for search.

nh3 (ammonia) with an explicit allow-list: no script or style, no event handlers, no inline styles, only
http/https/mailto URLs; every link gets rel="noopener noreferrer". Plain text comes from the sanitised
HTML, so what is searched is what is shown."""

import html
import re
from html.parser import HTMLParser

import nh3

from fusioncell.osint.links import is_safe_url

TAGS = frozenset(
    {"a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dl", "dt", "em", "figcaption",
     "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "li", "mark", "ol", "p", "pre", "q",
     "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr",
     "u", "ul"}
)  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "time": {"datetime"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "*": {"lang", "dir"},  # Arabic and Hebrew articles keep their direction
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
_BLOCK_END = re.compile(r"</(p|div|li|h[1-6]|blockquote|tr|pre|figure|dd|dt)>|<br\s*/?>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def sanitise_html(raw: str) -> str:
    """Safe HTML: anything not allowed is dropped; the text of script and style with it."""
    return nh3.clean(
        raw,
        tags=set(TAGS),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        clean_content_tags={"script", "style"},
        strip_comments=True,
        attribute_filter=_safe_urls,
    )


def _safe_urls(tag: str, attribute: str, value: str) -> str | None:
    """An http(s) address that is not a real link (a doubled scheme, no host) loses its href: the words
    stay, nothing clickable. nh3 has already dropped every scheme outside URL_SCHEMES."""
    if attribute in ("href", "src") and value.lower().startswith(("http:", "https:")) and not is_safe_url(value):
        return None
    return value


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(safe_html: str) -> str:
    """The words of (already sanitised) HTML: block ends become line breaks, runs of spaces one."""
    parser = _Text()
    parser.feed(_BLOCK_END.sub(lambda m: m.group(0) + "\n", safe_html))
    parser.close()
    text = _SPACES.sub(" ", "".join(parser.parts))
    return _BLANK_LINES.sub("\n\n", "\n".join(line.strip() for line in text.splitlines())).strip()


def text_of(fragment: str | None) -> str:
    """A title or summary that may carry markup or entities, as plain text."""
    if not fragment:
        return ""
    if "<" not in fragment:
        return _SPACES.sub(" ", html.unescape(fragment)).strip()
    return plain_text(sanitise_html(fragment))
