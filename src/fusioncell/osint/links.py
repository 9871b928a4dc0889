"""Links of articles: a safe http(s) URL, or text that only looks like one.

A doubled scheme (`https://https://x`), a `javascript:` or `data:` URL, or anything without a host is not
a link: it is kept as `link_text` and never rendered clickable. The dedup key is the SHA-256 of the
normalised URL, so `HTTP://Example.com/a/?utm_source=x#top` and `http://example.com/a/` are one article."""

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SAFE_SCHEMES = ("http", "https")
MAX_LINK_CHARS = 2000
_SCHEME_IN_HOST = re.compile(r"^[a-z][a-z0-9+.-]*:(?!\d)", re.IGNORECASE)  # "https:" but not "host:443"
_SPACES = re.compile(r"\s+")
_TRACKING = re.compile(r"^(utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid)$", re.IGNORECASE)


@dataclass(frozen=True)
class CheckedLink:
    link: str | None  # safe to render as an href
    text: str | None  # what the source gave when it was not a link
    key: str | None  # SHA-256 hex of the normalised link


def check_link(raw: str | None) -> CheckedLink:
    """The link as stored: safe and keyed, or kept as text with no key."""
    text = (raw or "").strip()
    if not text:
        return CheckedLink(None, None, None)
    if len(text) > MAX_LINK_CHARS or not is_safe_url(text):
        return CheckedLink(None, text[:MAX_LINK_CHARS], None)
    return CheckedLink(text, None, sha256_hex(normalise(text)))


def is_safe_url(url: str) -> bool:
    """http(s) with a real host; no whitespace or control characters; no second scheme where the host goes."""
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        return False
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a port that is not a number ("https://https://x" has host "https")
    except ValueError:
        return False
    del port
    if parts.scheme.lower() not in SAFE_SCHEMES or not parts.hostname or parts.hostname in SAFE_SCHEMES:
        return False
    after = url.split("://", 1)[1] if "://" in url else ""
    return not _SCHEME_IN_HOST.match(after)


def normalise(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, no tracking parameters, sorted query."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not (scheme == "http" and port == 80 or scheme == "https" and port == 443):
        host = f"{host}:{port}"
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    query = urlencode(
        sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k))
    )
    return urlunsplit((scheme, host, path, query, ""))


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def guid_key(guid: str | None) -> str | None:
    """A feed's GUID as a key: compared as given (trimmed), since GUIDs are opaque."""
    guid = (guid or "").strip()
    return sha256_hex(guid) if guid else None


def content_hash(title: str, text: str) -> str:
    """The same words in any case and spacing are the same article."""
    normal = _SPACES.sub(" ", f"{title}\n{text}".casefold()).strip()
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()
