"""`fusioncell statement`: a party's signing key kept outside the cell, and offline checks of publications.

`sign` never sends the key anywhere: it fetches the version, rebuilds the canonical text from the texts
itself (so a server cannot slip other bytes under the party's signature), signs its SHA-256 locally and
posts only the signature. `verify` needs no server at all.
"""

import hashlib
import json
import uuid
from pathlib import Path

import httpx
import typer
from rich.console import Console

from fusioncell.diplomacy import signing
from fusioncell.diplomacy.publication import verify_bundle

statement_app = typer.Typer(
    help="Joint statements: signing keys, signing, verifying published bundles.", no_args_is_help=True
)
out = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 1) -> None:
    err.print(f"[red]error:[/] {message}")
    raise typer.Exit(code)


@statement_app.command("keygen")
def keygen(
    out_path: Path = typer.Option(..., "--out", help="Where to write the private key (PEM, mode 0600)."),
) -> None:
    """Make a party signing key; register the printed public key with the cell (POST /api/v1/party-keys)."""
    private_key = signing.new_private_key()
    try:
        signing.write_key_file(out_path, private_key)
    except FileExistsError:
        fail(f"{out_path} exists; a key that may have signed already is never overwritten")
    public_key = signing.public_key_of(private_key)
    err.print(f"private key: {out_path} (keep it secret); key id {signing.key_id_of(public_key)}; public key:")
    print(signing.b64(public_key))


def _version(client: httpx.Client, statement_id: uuid.UUID, number: int) -> dict:
    response = client.get(f"/api/v1/statements/{statement_id}")
    if response.status_code != 200:
        fail(f"GET statement {statement_id} answered {response.status_code}: {response.text[:300]}")
    found = [v for v in response.json()["versions"] if v["number"] == number]
    if not found:
        fail(f"statement {statement_id} has no version {number}")
    return found[0]


def _checked_digest(version: dict, statement_id: uuid.UUID, number: int) -> bytes:
    """The digest to sign, from texts rebuilt here; refuses if the server's canonical text differs."""
    canonical = signing.canonical_text(version["texts"], statement_id=statement_id, version=number)
    if signing.unb64(version["canonical"]) != canonical:
        fail("the server's canonical text is not the one these texts give; nothing was signed")
    digest = hashlib.sha256(canonical).digest()
    if digest.hex() != version["canonical_sha256"]:
        fail("the server's SHA-256 is not the canonical text's; nothing was signed")
    return digest


@statement_app.command("sign")
def sign(
    statement_id: uuid.UUID,
    version: int = typer.Option(..., "--version", min=1, help="The version to approve (the latest)."),
    key_file: Path = typer.Option(..., "--key-file", help="The party's private key (from `statement keygen`)."),
    url: str = typer.Option(..., help="The cell's base URL, e.g. http://127.0.0.1:8000"),
    token: str = typer.Option(..., envvar="FUSIONCELL_TOKEN", help="An API token of a liaison or diplomacy officer."),
) -> None:
    """Approve one exact version of a statement with your party's key file."""
    try:
        private_key = signing.read_key_file(key_file)
    except signing.KeyFileError as exc:
        fail(str(exc))
    public_key = signing.public_key_of(private_key)
    try:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
            digest = _checked_digest(_version(client, statement_id, version), statement_id, version)
            body = {
                "version": version,
                "key_id": signing.key_id_of(public_key),
                "signature": signing.b64(signing.sign(private_key, digest)),
            }
            response = client.post(f"/api/v1/statements/{statement_id}/signatures", json=body)
    except httpx.HTTPError as exc:
        fail(f"could not reach {url}: {exc}")
    if response.status_code != 201:
        fail(f"the cell refused the signature ({response.status_code}): {response.text[:500]}")
    signed = response.json()
    out.print(
        f"signed version {version} of {statement_id} for {signed['party']} with key {signed['key_id']} "
        f"(SHA-256 {digest.hex()}); ledger entry {signed['ledger_index']}"
    )


@statement_app.command("verify")
def verify(
    bundle_path: Path = typer.Argument(..., metavar="BUNDLE", help="A bundle from GET /api/v1/statements/{id}/bundle."),
    vkey: str = typer.Option(None, help="The cell's verifier key, from a source you trust (else the bundle's own)."),
) -> None:
    """Check a published statement's bundle offline: text, every signature, the record's proof."""
    try:
        bundle = json.loads(bundle_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        fail(f"cannot read {bundle_path}: {exc}")
    problems = verify_bundle(bundle, cell_vkey=vkey) if isinstance(bundle, dict) else ["bundle: not a JSON object"]
    if problems:
        for problem in problems:
            err.print(f"[red]✗[/] {problem}")
        fail(f"the bundle does NOT verify ({len(problems)} problem(s))")
    if vkey is None:
        err.print("note: checked against the cell key inside the bundle; give --vkey to pin the cell's key")
    parties = ", ".join(s["party"] for s in bundle["signatures"])
    out.print(
        f"[bold green]verified[/]: {bundle['statement']['title']!r} version {bundle['version']}, signed by {parties}"
    )
