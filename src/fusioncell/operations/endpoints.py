"""Health, readiness and metrics: what a load balancer, an orchestrator and Prometheus ask the cell.

/healthz says the process answers and reads the database (liveness); /readyz says this worker should take
traffic: the database answers, its schema is the one this code expects, and the signing key is loaded.
/metrics is for the operator's Prometheus only: it needs the metrics token (FUSIONCELL_METRICS_TOKEN) as a
bearer token, and without a configured token it does not exist (404), like any unknown path.
"""

import hmac
from functools import lru_cache
from importlib.resources import files

from alembic.config import Config
from alembic.script import ScriptDirectory
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text
from starlette.exceptions import HTTPException

from fusioncell.db.migrate import current_revision
from fusioncell.ledger.service import tree_size
from fusioncell.operations.metrics import RecordCollector, exposition
from fusioncell.runtime import Runtime, get_runtime

router = APIRouter(tags=["operations"])
PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


@lru_cache(maxsize=1)
def expected_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(files("fusioncell.db") / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()


@router.get("/healthz")
def healthz(runtime: Runtime = Depends(get_runtime)):
    with runtime.database.reading() as session:
        return {"status": "ok", "cell": runtime.cell.code, "ledger_size": tree_size(session)}


@router.get("/readyz")
def readyz(runtime: Runtime = Depends(get_runtime)):
    checks = {"database": False, "schema": False, "signing_key": runtime.signer is not None}
    try:
        with runtime.database.reading() as session:
            session.execute(text("SELECT 1"))
        checks["database"] = True
        checks["schema"] = current_revision(runtime.database.engine) == expected_revision()
    except Exception:  # noqa: BLE001 — any failure to reach the database means "not ready", said below
        pass
    if all(checks.values()):
        return {"status": "ready", "checks": checks}
    failed = ", ".join(name for name, ok in checks.items() if not ok)
    body = {"error": {"code": "not_ready", "message": f"Not ready: {failed}.", "details": checks}}
    return JSONResponse(body, status_code=503)


def _scraper_allowed(request: Request, runtime: Runtime) -> None:
    token = runtime.settings.metrics_token.get_secret_value()
    if not token:
        raise HTTPException(404)
    scheme, _, sent = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(sent.strip().encode(), token.encode()):
        raise HTTPException(404)  # a wrong token learns nothing, not even that the endpoint exists


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request, runtime: Runtime = Depends(get_runtime)):
    _scraper_allowed(request, runtime)
    witnesses = [witness.name for witness in runtime.cell.witnesses.witnesses]
    record = RecordCollector(runtime.database.reading, witnesses=witnesses)
    return Response(exposition(record), media_type=PROMETHEUS_TEXT)
