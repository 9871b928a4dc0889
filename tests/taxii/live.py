"""A live cell process serving TAXII, for the tests that drive it with the real taxii2-client.

`python -m tests.taxii.live PORT` serves the cell as `fusioncell serve` does, adding the TAXII routes if
app.py does not include them yet (`with_taxii`). `live_taxii_cell` runs `fusioncell init --demo` in a directory (on
SQLite, or on a PostgreSQL URL), starts that server on a free port and stops it afterwards.
"""

import contextlib
import gc
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from fastapi import FastAPI

from fusioncell.taxii import DISCOVERY_PATH
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


def with_taxii(app: FastAPI) -> FastAPI:
    """The TAXII routes, unless app.py includes them already."""
    from fusioncell.taxii.endpoints import router

    if not any(getattr(route, "path", None) == DISCOVERY_PATH for route in app.routes):
        app.include_router(router)
    return app


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
            [sys.executable, "-m", "tests.taxii.live", str(port)], env=env, stdout=log, stderr=log, cwd=REPOSITORY
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


def serve(port: int) -> None:
    import uvicorn

    from fusioncell.app import create_app
    from fusioncell.config import get_settings

    app = with_taxii(create_app(settings=get_settings()))
    gc.freeze()
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    serve(int(sys.argv[1]))
