"""A full attachments disk, for real: the attachments directory is a small tmpfs filled to the brim (the suite
runs as root on its machine, which may mount one). An upload then gets a clear 507 in the one error shape,
nothing is recorded, no half file is left, and an upload succeeds once there is room again."""

import subprocess
import time
from pathlib import Path

import httpx
import pytest

from fusioncell.demo import DEMO_PASSWORD
from tests.events.live import base_env, run_cli, start_server

pytestmark = pytest.mark.slow
DISK_BYTES = 256 * 1024


def small_disk(directory: Path) -> None:
    """Mount a 256 KiB tmpfs on `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_BYTES}", "tmpfs", str(directory)], capture_output=True, text=True
    )
    assert mounted.returncode == 0, f"this test mounts a small tmpfs and needs root to: {mounted.stderr}"


def test_a_full_attachments_disk_gets_a_clear_error_and_changes_nothing(tmp_path):
    attachments = tmp_path / "attachments"
    small_disk(attachments)
    env = base_env(tmp_path, f"sqlite:///{tmp_path / 'var' / 'fusioncell.db'}") | {
        "FUSIONCELL_ATTACHMENTS_DIR": str(attachments)
    }
    assert run_cli(env, "init", "--demo").returncode == 0
    filler = attachments / "filler"
    try:
        with open(filler, "wb", buffering=0) as out:  # fill the disk to the last block
            try:
                while True:
                    out.write(b"\0" * 4096)
            except OSError:
                pass
        server = start_server(env, tmp_path / "server.log")
        try:
            base = server.base
            login = httpx.post(f"{base}/api/v1/auth/login", json={"username": "isr.liaison", "password": DEMO_PASSWORD})
            headers = {"authorization": f"Bearer {login.json()['token']}"}
            size_before = httpx.get(f"{base}/healthz").json()["ledger_size"]
            report = b"Observation log, sector north.\n" * 20_000  # about 600 KiB: more than the disk holds
            refused = httpx.post(
                f"{base}/api/v1/attachments", files={"file": ("log.txt", report, "text/plain")}, headers=headers
            )
            assert refused.status_code == 507, refused.text
            error = refused.json()["error"]
            assert error["code"] == "storage_unavailable" and "nothing was saved" in error["message"]
            time.sleep(0.2)
            assert httpx.get(f"{base}/healthz").json()["ledger_size"] == size_before, "nothing was recorded"
            assert not list(attachments.rglob(".upload-*")), "no half-written file is left behind"

            filler.unlink(missing_ok=True)
            small = b"Observation log, sector north.\n" * 1000
            stored = httpx.post(
                f"{base}/api/v1/attachments", files={"file": ("log.txt", small, "text/plain")}, headers=headers
            )
            assert stored.status_code == 201, stored.text
        finally:
            server.stop()
    finally:
        subprocess.run(["umount", "-l", str(attachments)], capture_output=True)
