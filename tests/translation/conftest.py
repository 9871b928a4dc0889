"""Fixtures for machine translation: tiny real models laid out as Argos packages, and an app that serves them."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from fusioncell import translation
from fusioncell.app import create_app
from fusioncell.config import Settings
from fusioncell.runtime import Runtime
from fusioncell.translation import service
from fusioncell.translation.endpoints import router
from tests.translation.tiny import build_model, lay_out

TRANSLATION_PATH = "/api/v1/messages/{message_id}/translation"


@pytest.fixture(autouse=True)
def no_model_afterwards() -> Iterator[None]:
    """Whatever a test installs, the next one (here or elsewhere) starts without a model."""
    translation.reset()
    service.clear_cache()
    yield
    translation.reset()
    service.clear_cache()


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    model = tmp_path_factory.mktemp("tiny") / "model"
    build_model(model)
    return model


@pytest.fixture
def models_dir(tmp_path, tiny_model) -> Path:
    """en→ar, ar→en and en→he: ar→he goes through English, he→ar has no route."""
    root = tmp_path / "argos"
    root.mkdir()
    for source, target in (("en", "ar"), ("ar", "en"), ("en", "he")):
        lay_out(root, source, target, tiny_model)
    return root


def serve(runtime: Runtime, models: Path | None) -> TestClient:
    """The app as create_app builds it, with these models installed (and the router, until app.py includes it)."""
    settings = runtime.settings.model_copy(update={"translation_models": str(models or "")})
    runtime = Runtime(settings=settings, database=runtime.database, cell=runtime.cell, signer=runtime.signer)
    app = create_app(runtime, background=False)
    if not any(getattr(r, "path", None) == TRANSLATION_PATH for r in app.routes):
        app.include_router(router)
    translation.install(settings)  # what create_app does once wired (a no-op repeat then)
    return TestClient(app)


@pytest.fixture
def mt_client(runtime, models_dir) -> Iterator[TestClient]:
    with serve(runtime, models_dir) as client:
        yield client


@pytest.fixture
def bare_client(runtime) -> Iterator[TestClient]:
    """No model configured: the feature absent."""
    with serve(runtime, None) as client:
        yield client


def settings_for(models) -> Settings:
    return Settings(translation_models=str(models))
