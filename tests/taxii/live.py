"""A live cell process serving TAXII, for the tests that drive it with the real taxii2-client.

`live_taxii_cell` runs `fusioncell init --demo` in a directory (on SQLite, or on a PostgreSQL URL), starts
`fusioncell serve` on a free port, and stops it afterwards.
"""

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.test_crash import free_port

REPOSITORY = Path(__file__).resolve().parents[2]


@dataclass
class LiveTaxii:
    base: str  # http://127.0.0.1:PORT
    process: subprocess.Popen

    @property
    def discovery(self) -> str:
        return f"{self.base}/taxii2/"

    @property
    def api_root(self) -> str:
        return f"{self.base}/taxii2/api/"


@contextlib.contextmanager
def live_taxii_cell(home: Path, database_url: str = "") -> Iterator[LiveTaxii]:
    env = os.environ | {"FUSIONCELL_VAR_DIR": str(home / "var"), "FUSIONCELL_DATABASE_URL": database_url}
    init = subprocess.run(
        [sys.executable, "-m", "fusioncell", "init", "--demo"], env=env, capture_output=True, text=True, timeout=120
    )
    assert init.returncode == 0, init.stderr
    port = free_port()
    with open(home / "server.log", "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "fusioncell", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=log,
            cwd=REPOSITORY,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                assert process.poll() is None, (home / "server.log").read_text()[-3000:]
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            yield LiveTaxii(base, process)
        finally:
            process.terminate()
            process.wait(timeout=10)
