"""Driving a live cell's statement desk from outside, as a party would: the `fusioncell` command line, the
API with a bearer token, and the offline check of a published statement's bundle (tampered three ways)."""

import base64
import copy
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from fusioncell.demo import DEMO_PASSWORD


def fusioncell(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fusioncell", *args],
        env=os.environ | (env or {}),
        capture_output=True,
        text=True,
        timeout=120,
    )


def login(base: str, username: str) -> dict[str, str]:
    response = httpx.post(f"{base}/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def cli_sign(base: str, token: dict[str, str], statement_id: str, version: int, key_file: Path):
    secret = token["Authorization"].removeprefix("Bearer ")
    return fusioncell(
        "statement", "sign", statement_id, "--version", str(version), "--key-file", str(key_file), "--url", base,
        env={"FUSIONCELL_TOKEN": secret},
    )  # fmt: skip


def stored_sign(client: httpx.Client, headers, statement_id: str, version: int) -> httpx.Response:
    body = {"version": version, "password": DEMO_PASSWORD}
    return client.post(f"/api/v1/statements/{statement_id}/signatures/stored", json=body, headers=headers)


def published_bundle(client: httpx.Client, headers, statement_id: str) -> dict:
    """The bundle, once the server's next checkpoint (at most a second away) covers the publication."""
    for _ in range(100):
        response = client.get(f"/api/v1/statements/{statement_id}/bundle", headers=headers)
        if response.status_code == 200:
            return response.json()
        assert response.status_code == 409, response.text
        time.sleep(0.1)
    raise AssertionError("no checkpoint came to cover the publication")


def verify(tmp_path: Path, bundle: dict, vkey: str, name: str) -> subprocess.CompletedProcess:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    return fusioncell("statement", "verify", str(path), "--vkey", vkey)


def flip_b64(text: str) -> str:
    raw = bytearray(base64.b64decode(text))
    raw[0] ^= 1
    return base64.b64encode(bytes(raw)).decode()


def assert_tampering_fails(tmp_path: Path, bundle: dict, vkey: str) -> None:
    """One character of the text, one signature, one proof hash: each change makes the offline check fail."""
    text = copy.deepcopy(bundle)
    english = text["texts"]["en"]
    text["texts"]["en"] = english[:-1] + ("." if english[-1] != "." else "!")  # the last character only
    failed = verify(tmp_path, text, vkey, "text")
    assert failed.returncode == 1 and "text:" in failed.stderr

    signature = copy.deepcopy(bundle)
    signature["signatures"][0]["signature"] = flip_b64(signature["signatures"][0]["signature"])
    failed = verify(tmp_path, signature, vkey, "signature")
    party = bundle["signatures"][0]["party"]
    assert failed.returncode == 1 and f"signature of {party}" in failed.stderr

    proof = copy.deepcopy(bundle)
    proof["ledger"]["inclusion_proof"][0] = flip_b64(proof["ledger"]["inclusion_proof"][0])
    failed = verify(tmp_path, proof, vkey, "proof")
    assert failed.returncode == 1 and "proof:" in failed.stderr
