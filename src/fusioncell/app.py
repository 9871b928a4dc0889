"""The FastAPI application: routers, the edge middleware, error handlers, static files, the checkpointer."""

import asyncio
import contextlib
from datetime import timedelta
from importlib.resources import files

import structlog
from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from fusioncell import __version__, translation
from fusioncell.access.endpoints import router as access_router
from fusioncell.commerce.endpoints import router as projects_router
from fusioncell.commerce.pages import router as project_pages_router
from fusioncell.commerce.rollup_endpoints import router as project_targets_router
from fusioncell.config import Settings, get_settings
from fusioncell.deconfliction.endpoints import router as deconfliction_router
from fusioncell.deconfliction.pages import router as notice_pages_router
from fusioncell.diplomacy.commitments.endpoints import router as commitments_router
from fusioncell.diplomacy.commitments.pages import router as commitment_pages_router
from fusioncell.diplomacy.endpoints import router as statements_router
from fusioncell.diplomacy.meetings.endpoints import router as meetings_router
from fusioncell.diplomacy.meetings.pages import router as meeting_pages_router
from fusioncell.diplomacy.pages import router as statement_pages_router
from fusioncell.events.endpoints import router as events_router
from fusioncell.events.tail import LedgerTail
from fusioncell.fusion.endpoints import router as fusion_router
from fusioncell.fusion.pages import router as fusion_pages_router
from fusioncell.geo.endpoints import router as geo_router
from fusioncell.geo.pages import router as map_pages_router
from fusioncell.glossary.endpoints import router as glossary_router
from fusioncell.glossary.pages import router as glossary_pages_router
from fusioncell.hotline.endpoints import router as hotline_router
from fusioncell.hotline.pages import composer_body_limit
from fusioncell.hotline.pages import router as hotline_pages_router
from fusioncell.hotline.scheduled import escalate_overdue
from fusioncell.http import EdgeMiddleware, install_error_handlers, text_without_nul
from fusioncell.idempotency.middleware import IdempotencyMiddleware
from fusioncell.idempotency.openapi import document_idempotency
from fusioncell.idempotency.scheduled import PURGE_EVERY_SECONDS, purge_expired_keys
from fusioncell.incidents.cot import CotServer
from fusioncell.incidents.dashboard_pages import router as incident_dashboard_router
from fusioncell.incidents.endpoints import router as incidents_router
from fusioncell.incidents.export_endpoints import router as incident_exports_router
from fusioncell.incidents.page_actions import router as incident_actions_router
from fusioncell.incidents.pages import router as incident_pages_router
from fusioncell.incidents.scheduled import escalate_overdue_incidents
from fusioncell.incidents.statistics_endpoints import router as incident_statistics_router
from fusioncell.incidents.wall_pages import router as wall_pages_router
from fusioncell.intel.correlation_endpoints import router as intel_correlation_router
from fusioncell.intel.endpoints import router as intel_router
from fusioncell.intel.page_actions import router as intel_actions_router
from fusioncell.intel.pages import router as intel_pages_router
from fusioncell.intel.validation import MAX_BUNDLE_BYTES
from fusioncell.ledger.endpoints import router as ledger_router
from fusioncell.ledger.service import checkpoint_if_due
from fusioncell.ledger.witness_endpoints import router as witness_router
from fusioncell.ledger.witnessing import run_pusher
from fusioncell.logs import configure_logging
from fusioncell.notifications.endpoints import router as notifications_router
from fusioncell.notifications.pages import router as notifications_pages_router
from fusioncell.notifications.scheduled import deliver_notifications
from fusioncell.operations.endpoints import router as operations_router
from fusioncell.operations.metrics import RequestMetrics
from fusioncell.osint.endpoints import router as osint_router
from fusioncell.osint.pages import router as osint_pages_router
from fusioncell.osint.scheduled import run_poller
from fusioncell.runtime import Runtime
from fusioncell.taxii import OBJECTS_PATH as TAXII_OBJECTS_PATH
from fusioncell.taxii.endpoints import router as taxii_router
from fusioncell.translation.endpoints import router as translation_router
from fusioncell.verification.endpoints import router as verification_router
from fusioncell.verification.forms import router as verification_forms_router
from fusioncell.verification.pages import router as verification_pages_router
from fusioncell.web.pages import router as pages_router

log = structlog.get_logger("fusioncell.app")


def sign_due_checkpoint(runtime: Runtime) -> None:
    interval = timedelta(seconds=runtime.settings.checkpoint_interval_seconds)
    with runtime.database.writing() as session:
        signer = runtime.signer_in_force(session)
        checkpoint_if_due(session, signer=signer, origin=runtime.cell.log_origin, interval=interval)


def raise_due_escalations(runtime: Runtime) -> None:
    with runtime.database.writing() as session:
        escalate_overdue(session, cell=runtime.cell)
        escalate_overdue_incidents(session, cell=runtime.cell)


async def _every(seconds: float, job, runtime: Runtime, *, gated: bool = False) -> None:
    """Run a timer job forever; a busy or restarting database must not stop it.

    A `gated` job (a short write transaction) queues at the write gate like a request does, so on
    SQLite it never holds the write lock while a request waits for it in SQLite's busy handler."""
    while True:
        try:
            if gated:
                async with runtime.write_gate():
                    await asyncio.to_thread(job, runtime)
            else:
                await asyncio.to_thread(job, runtime)
        except Exception:
            log.exception("timer job failed; retrying", job=job.__name__)
        await asyncio.sleep(seconds)


def create_app(runtime: Runtime | None = None, *, settings: Settings | None = None, background: bool = True) -> FastAPI:
    settings = settings or (runtime.settings if runtime else get_settings())
    configure_logging(json_lines=settings.log_json)
    runtime = runtime or Runtime.open(settings)
    translation.install(settings)  # the installed machine-translation models, if any; a broken one stops here

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        # Checkpoints at most once per interval while entries arrive; escalations from stored deadlines.
        tasks = []
        if background:
            timers = runtime.settings
            checkpoints = _every(timers.checkpoint_interval_seconds, sign_due_checkpoint, runtime, gated=True)
            escalations = _every(timers.deadline_check_seconds, raise_due_escalations, runtime, gated=True)
            tasks += [asyncio.create_task(checkpoints), asyncio.create_task(escalations)]
            # Witnesses: each new checkpoint is pushed to them; only the last, short write queues at the gate.
            tasks.append(asyncio.create_task(run_pusher(runtime, timers.checkpoint_interval_seconds / 10)))
            tasks.append(asyncio.create_task(run_poller(runtime, 60)))  # open-source feeds and folders
            tasks.append(asyncio.create_task(_every(timers.notification_check_seconds, deliver_notifications, runtime)))
            tasks.append(asyncio.create_task(_every(PURGE_EVERY_SECONDS, purge_expired_keys, runtime, gated=True)))
        # The live stream: one tail of the ledger for this process (events/tail.py).
        app.state.ledger_tail = await LedgerTail(runtime.database).start() if background else None
        # The Cursor-on-Target feed for TAK clients (incidents/cot.py), when a port is set.
        cot = None
        if background and runtime.settings.cot_port is not None:
            cot = CotServer(runtime.database, runtime.cell, host=runtime.settings.host, port=runtime.settings.cot_port)
            await cot.start()
        yield
        if cot is not None:
            await cot.stop()
        if app.state.ledger_tail is not None:
            await app.state.ledger_tail.stop()
        for task in tasks:
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
        dependencies=[Depends(text_without_nul)],  # no NUL in any text sent (http.py): a 422, never a 500
    )
    app.state.runtime = runtime
    uploads = {"/api/v1/attachments": settings.attachment_max_bytes + 64 * 1024}
    uploads["/hotline/{channel_code}/messages"] = composer_body_limit(settings)  # the composer's files
    uploads["/api/v1/intel/bundles"] = MAX_BUNDLE_BYTES + 64 * 1024  # a STIX bundle and its envelope
    uploads[TAXII_OBJECTS_PATH] = MAX_BUNDLE_BYTES  # a TAXII envelope: the same cap as a bundle upload
    app.add_middleware(IdempotencyMiddleware)  # inside the edge: its answers get the edge's headers
    app.add_middleware(
        EdgeMiddleware, max_body_bytes=settings.max_body_bytes, hsts=settings.secure_cookies, upload_limits=uploads
    )
    app.add_middleware(RequestMetrics)  # outermost: it times what the edge and the routes do
    install_error_handlers(app)
    document_idempotency(app)
    app.include_router(operations_router)
    app.include_router(access_router)
    app.include_router(ledger_router)
    app.include_router(witness_router)
    app.include_router(hotline_router)
    app.include_router(translation_router)
    app.include_router(events_router)
    app.include_router(notifications_router)
    app.include_router(geo_router)
    app.include_router(deconfliction_router)
    app.include_router(incident_exports_router)  # before incidents_router: its paths would match /{incident_id}
    app.include_router(incident_statistics_router)  # likewise
    app.include_router(incidents_router)
    app.include_router(fusion_router)
    app.include_router(pages_router)
    app.include_router(hotline_pages_router)
    app.include_router(notifications_pages_router)
    app.include_router(map_pages_router)
    app.include_router(incident_pages_router)
    app.include_router(fusion_pages_router)
    app.include_router(incident_actions_router)
    app.include_router(incident_dashboard_router)
    app.include_router(notice_pages_router)
    app.include_router(wall_pages_router)
    app.include_router(verification_router)
    app.include_router(verification_pages_router)
    app.include_router(verification_forms_router)
    app.include_router(intel_router)
    app.include_router(intel_correlation_router)
    app.include_router(intel_pages_router)
    app.include_router(intel_actions_router)
    app.include_router(taxii_router)
    app.include_router(statements_router)
    app.include_router(statement_pages_router)
    app.include_router(meetings_router)
    app.include_router(meeting_pages_router)
    app.include_router(commitments_router)
    app.include_router(commitment_pages_router)
    app.include_router(project_targets_router)  # before projects_router: /api/v1/projects/{id} would match
    app.include_router(projects_router)
    app.include_router(project_pages_router)
    app.include_router(osint_router)
    app.include_router(osint_pages_router)
    app.include_router(glossary_router)
    app.include_router(glossary_pages_router)
    app.mount("/static", StaticFiles(directory=str(files("fusioncell.web") / "static")), name="static")

    return app
