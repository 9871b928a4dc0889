"""The FastAPI application: routers, the edge middleware, error handlers, static files, the checkpointer."""

import asyncio
import contextlib
from datetime import timedelta
from importlib.resources import files

import structlog
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from fusioncell import __version__
from fusioncell.access.endpoints import router as access_router
from fusioncell.config import Settings, get_settings
from fusioncell.http import EdgeMiddleware, install_error_handlers
from fusioncell.ledger.endpoints import router as ledger_router
from fusioncell.ledger.service import checkpoint_if_due, tree_size
from fusioncell.logs import configure_logging
from fusioncell.runtime import Runtime
from fusioncell.web.pages import router as pages_router

log = structlog.get_logger("fusioncell.app")


def sign_due_checkpoint(runtime: Runtime) -> None:
    interval = timedelta(seconds=runtime.settings.checkpoint_interval_seconds)
    with runtime.database.writing() as session:
        checkpoint_if_due(session, signer=runtime.signer, origin=runtime.cell.log_origin, interval=interval)


async def _checkpointer(runtime: Runtime) -> None:
    """Sign a checkpoint at most once per interval while entries arrive (none while the tree is idle)."""
    while True:
        try:
            await asyncio.to_thread(sign_due_checkpoint, runtime)
        except Exception:  # a busy or restarting database must not stop the checkpointer
            log.exception("checkpoint failed; retrying")
        await asyncio.sleep(runtime.settings.checkpoint_interval_seconds)


def create_app(runtime: Runtime | None = None, *, settings: Settings | None = None, background: bool = True) -> FastAPI:
    settings = settings or (runtime.settings if runtime else get_settings())
    configure_logging(json_lines=settings.log_json)
    runtime = runtime or Runtime.open(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        task = asyncio.create_task(_checkpointer(runtime)) if background else None
        yield
        if task:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app = FastAPI(
        title="fusioncell",
        version=__version__,
        description="The API of a joint fusion mechanism: channels, desks and a verifiable record.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # served by web.pages from vendored files, under the same CSP as every page
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.add_middleware(EdgeMiddleware, max_body_bytes=settings.max_body_bytes, hsts=settings.secure_cookies)
    install_error_handlers(app)
    app.include_router(access_router)
    app.include_router(ledger_router)
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=str(files("fusioncell.web") / "static")), name="static")

    @app.get("/healthz", tags=["operations"])
    def healthz():
        with runtime.database.reading() as session:
            return {"status": "ok", "cell": runtime.cell.code, "ledger_size": tree_size(session)}

    return app
