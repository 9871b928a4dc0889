"""deploy/nginx.conf, the documented production front, run as it is (host, ports and certificate swapped for
the test's) in front of a live `fusioncell serve` with Secure cookies: HTTP is sent to HTTPS, TLS answers,
HSTS and Secure cookies reach the browser, the live stream passes through unbuffered, and a body over
fusioncell's limit gets fusioncell's own JSON error rather than the proxy's page."""

import datetime
import os
import shutil
import ssl
import subprocess
import time
import uuid
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from fusioncell.demo import DEMO_PASSWORD
from tests.events.live import base_env, free_port, run_cli, start_server
from tests.web.test_pages import csrf_of

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_CONFIG = ROOT / "deploy" / "nginx.conf"


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        pytest.fail("nginx is needed for this test: `make proxy` (apt-get install nginx) installs it")
    return found


def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "fullchain.pem", directory / "privkey.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def site_config(*, upstream: int, http_port: int, https_port: int, cert: Path, key: Path) -> str:
    """The production file with only its EDIT lines (and the listening ports) changed."""
    text = PRODUCTION_CONFIG.read_text()
    for old, new in (
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};"),
        ("server_name cell.example.org;", "server_name localhost;"),
        ("/etc/ssl/fusioncell/fullchain.pem", str(cert)),
        ("/etc/ssl/fusioncell/privkey.pem", str(key)),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl"),
    ):
        assert old in text, f"deploy/nginx.conf no longer has {old!r}: update this test with it"
        text = text.replace(old, new)
    return text


def main_config(directory: Path, site: Path) -> str:
    temp = directory / "temp"
    temp.mkdir()
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must reach the test's private directories
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {directory / 'nginx.pid'};\n"
        f"error_log {directory / 'error.log'} warn;\nevents {{ worker_connections 256; }}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {temp}/body;\n  proxy_temp_path {temp}/proxy;\n"
        f"  fastcgi_temp_path {temp}/fastcgi;\n  uwsgi_temp_path {temp}/uwsgi;\n  scgi_temp_path {temp}/scgi;\n"
        f"  include {site};\n}}\n"
    )


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    directory = tmp_path_factory.mktemp("proxy")
    env = base_env(directory, f"sqlite:///{directory / 'var' / 'fusioncell.db'}") | {
        "FUSIONCELL_SECURE_COOKIES": "true"
    }
    initialised = run_cli(env, "init", "--demo")
    assert initialised.returncode == 0, initialised.stdout + initialised.stderr
    server = start_server(env, directory / "server.log")
    cert, key = self_signed(directory)
    http_port, https_port = free_port(), free_port()
    site = directory / "fusioncell.conf"
    upstream = int(server.base.rsplit(":", 1)[1])
    site.write_text(site_config(upstream=upstream, http_port=http_port, https_port=https_port, cert=cert, key=key))
    main = directory / "nginx.conf"
    main.write_text(main_config(directory, site))
    binary = nginx_binary()
    checked = subprocess.run([binary, "-t", "-c", str(main)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    nginx = subprocess.Popen([binary, "-c", str(main)], stderr=subprocess.PIPE)
    base = f"https://localhost:{https_port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                if httpx.get(f"{base}/healthz", verify=ssl.create_default_context(cafile=cert), timeout=1).is_success:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, (directory / "error.log").read_text()
            time.sleep(0.1)
        yield {"base": base, "http": f"http://localhost:{http_port}", "cert": ssl.create_default_context(cafile=cert)}
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        server.stop()


def test_plain_http_is_sent_to_https(proxied):
    answer = httpx.get(f"{proxied['http']}/inbox", follow_redirects=False)
    assert answer.status_code == 301 and answer.headers["location"].startswith("https://localhost")


def test_a_login_through_tls_gets_a_secure_cookie_and_hsts(proxied):
    with httpx.Client(base_url=proxied["base"], verify=proxied["cert"]) as client:
        page = client.get("/login")
        assert page.status_code == 200
        assert "max-age=" in page.headers["strict-transport-security"]
        assert page.headers["content-security-policy"].startswith("default-src 'self'")
        form = {"username": "isr.liaison", "password": DEMO_PASSWORD, "login_csrf": csrf_of(page.text, "login_csrf")}
        logged_in = client.post("/login", data=form, follow_redirects=False)
        assert logged_in.status_code == 303
        cookie = logged_in.headers["set-cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie


def test_the_live_stream_passes_through_unbuffered(proxied):
    with httpx.Client(base_url=proxied["base"], verify=proxied["cert"], timeout=30) as client:
        login = client.post("/api/v1/auth/login", json={"username": "syr.liaison", "password": DEMO_PASSWORD})
        syr = {"authorization": f"Bearer {login.json()['token']}"}
        login = client.post("/api/v1/auth/login", json={"username": "isr.liaison", "password": DEMO_PASSWORD})
        isr = {"authorization": f"Bearer {login.json()['token']}"}
        body = f"through the proxy {uuid.uuid4().hex[:8]}"
        with client.stream("GET", "/api/v1/stream", headers=syr) as stream:  # live from now on
            assert stream.status_code == 200
            sent_at = time.monotonic()
            sent = client.post("/api/v1/messages", json={"channel": "hotline", "body": body}, headers=isr)
            assert sent.status_code == 201
            for line in stream.iter_lines():
                if body in line:
                    break
                assert time.monotonic() - sent_at < 5, "the event did not come through the proxy in time"
        assert time.monotonic() - sent_at < 5


def test_a_body_over_fusioncell_s_limit_gets_fusioncell_s_own_error(proxied):
    big = {"channel": "hotline", "body": "x" * (2 * 1024 * 1024)}
    answer = httpx.post(f"{proxied['base']}/api/v1/messages", json=big, verify=proxied["cert"], timeout=30)
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "payload_too_large"
