"""Fixtures for the open-source monitoring tests: the fixture files, a real local HTTP server for feeds that
honours ETag/If-None-Match and Last-Modified/If-Modified-Since, and the subjects who ingest."""

import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from fusioncell.access import service as access

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class FeedServer:
    """Feeds by path; `hits` counts requests, `answers` the status codes given, in order."""

    base: str
    files: dict[str, bytes] = field(default_factory=dict)
    modified: dict[str, float] = field(default_factory=dict)
    answers: list[int] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"

    def put(self, path: str, body: bytes, *, at: float = 1767600000.0) -> str:
        self.files["/" + path.lstrip("/")] = body
        self.modified["/" + path.lstrip("/")] = at
        return self.url(path)


def _handler(server: FeedServer):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the http.server name)
            body = server.files.get(self.path)
            if body is None:
                return self._answer(404, b"not found")
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            modified = formatdate(server.modified[self.path], usegmt=True)
            if self.headers.get("If-None-Match") == etag or (
                self.headers.get("If-None-Match") is None and self.headers.get("If-Modified-Since") == modified
            ):
                return self._answer(304, b"", {"ETag": etag, "Last-Modified": modified})
            self._answer(200, body, {"ETag": etag, "Last-Modified": modified, "Content-Type": "application/xml"})

        def _answer(self, status: int, body: bytes, headers: dict | None = None) -> None:
            server.answers.append(status)
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # quiet
            return None

    return Handler


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    served = FeedServer(base="")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(served))  # port 0: a free port
    served.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    for name in ("rss2.xml", "atom.xml", "bad/not-xml.xml", "bad/truncated.xml"):
        served.put(name, (FIXTURES / name).read_bytes())
    yield served
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def subject_of(db, cell, population):
    """The Subject of a member: `subject_of("ISR")` its liaison officer, `subject_of("FRA", "admin")`."""

    def subject(party: str, role: str | None = None):
        user = access.user_by_name(db, population.member(party, role).username)
        return access.subject_for(user, cell)

    return subject


@pytest.fixture
def isr(subject_of):
    return subject_of("ISR", "liaison")
