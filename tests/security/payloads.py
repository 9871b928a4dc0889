"""A corpus of hostile text for the XSS tests: each payload carries its own marker, and every one that could
run calls `window.__fusioncell_xss(<marker>)` or `alert(<marker>)`, so a page that executes it is caught.

A payload is plain data: post it into any user-writable text field and look for its marker afterwards. Markers
are short, unique and made of letters, digits and dashes only, so they survive every escaping intact and can be
searched for in the page's text."""

from dataclasses import dataclass

HOOK = "__fusioncell_xss"  # the function the browser's init script defines to record a call


@dataclass(frozen=True)
class Payload:
    marker: str  # unique; appears in `text`
    kind: str  # the family of trick, for reports
    text: str  # what is posted
    plain: bool = True  # a plain-text field shows `text` exactly (False: it relies on entities or controls)


def _call(marker: str) -> str:
    return f"window.{HOOK}('{marker}')"


def _build() -> list[Payload]:
    items: list[tuple[str, str, bool]] = []

    def add(kind: str, template: str, plain: bool = True) -> None:
        items.append((kind, template, plain))

    # {m} is the marker, {c} the marker-call JavaScript.
    add("script", "<script>{c}</script> {m}")
    add("script", "<ScRiPt src=data:text/javascript,{c}></ScRiPt> {m}")
    add("script", "</textarea></title></style><script>alert('{m}')</script>")
    add("handler", '<img src=x onerror="{c}"> {m}')
    add("handler", '<svg onload="{c}"></svg> {m}')
    add("handler", "<body onload=alert('{m}')> {m}")
    add("handler", '<details open ontoggle="{c}">{m}</details>')
    add("javascript-url", '<a href="javascript:{c}">{m}</a>')
    add("javascript-url", "<a href=\"JaVaScRiPt:alert('{m}')\">{m}</a>")
    encoded = "".join(f"&#{ord(char)};" for char in "javascript:")  # &#106;&#97;… entity by entity
    add("javascript-url", f"<a href=\"{encoded}alert('{{m}}')\">{{m}}</a>")
    add("javascript-url", '<a href="java&#x09;script:{c}">{m}</a>')
    add("javascript-url", '<iframe src="javascript:parent.{c}"></iframe> {m}')
    add("svg", "<svg><script>{c}</script></svg> {m}")
    add("svg", '<svg><a xlink:href="javascript:{c}"><text>{m}</text></a></svg>')
    add("css", "<style>body{{background:url(javascript:{c})}}</style> {m}")
    add("css", '<div style="background:url(javascript:{c})">{m}</div>')
    add("breakout", '"><script>{c}</script> {m}')
    add("breakout", "' onmouseover='{c}' autofocus onfocus='{c}' x=' {m}")
    add("breakout", '" onfocus="{c}" autofocus=" {m}')
    add("breakout", "</script><script>{c}</script> {m}")
    add("breakout", "'};{c};// {m}")
    add("template", "{{{{7*7}}}} {{{{ {c} }}}} {m}")
    add("template", "{{% raw %}}{{% endraw %}}${{7*7}} #{{7*7}} {m}")
    add("bidi", '\u202e{m} txt.exe\u202c <b onclick="{c}">x</b>', plain=True)
    add("bidi", '\u2066{m}\u2069 \u2067<img src=x onerror="{c}">\u2069 \u2068ok\u2069', plain=True)
    add("markdown", "[{m}](javascript:{c})")
    add("markdown", "![{m}](javascript:alert('{m}'))")
    add("markdown", "[{m}](JAVASCRIPT:alert('{m}')) and <javascript:alert('{m}')>")
    add("markdown", '**{m}** <img src=x onerror="{c}"> _raw html_')
    add("markdown", "[{m}][r]\n\n[r]: javascript:{c}", plain=False)
    add("entity", "&lt;script&gt;{c}&lt;/script&gt; {m}", plain=True)
    add("entity", "&#60;img src=x onerror={c}&#62; {m}", plain=True)
    add("data-url", '<object data="data:text/html,<script>parent.{c}</script>"></object> {m}')
    add("meta", '<meta http-equiv="refresh" content="0;url=javascript:{c}"> {m}')

    payloads = []
    for number, (kind, template, plain) in enumerate(items, start=1):
        marker = f"xss{number:02d}q"
        text = template.replace("{c}", _call(marker)).replace("{m}", marker)
        text = text.replace("{{", "{").replace("}}", "}")
        payloads.append(Payload(marker=marker, kind=kind, text=text, plain=plain))
    return payloads


PAYLOADS: list[Payload] = _build()
MARKERS = {p.marker for p in PAYLOADS}
assert len(MARKERS) == len(PAYLOADS)
assert all(p.marker in p.text for p in PAYLOADS)
