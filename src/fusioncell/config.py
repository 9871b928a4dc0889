"""Settings read from the environment (FUSIONCELL_ prefix); the defaults run a cell with no set-up."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FUSIONCELL_", extra="ignore")

    var_dir: Path = Path("var")
    # Empty means the embedded SQLite file under var_dir.
    database_url: str = ""
    # The cell's Ed25519 ledger key; empty means var_dir/ledger.key.
    key_path: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    # The Cursor-on-Target TCP feed for TAK clients (incidents/cot.py), on `host`; None: off.
    cot_port: int | None = Field(default=None, ge=1, le=65535)
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # Cookies get the Secure flag; switch off only for plain-HTTP local use.
    secure_cookies: bool = False
    session_hours: int = Field(default=12, ge=1)
    login_max_failures: int = Field(default=5, ge=1)
    login_window_minutes: int = Field(default=15, ge=1)
    checkpoint_interval_seconds: float = Field(default=1.0, gt=0)
    log_json: bool = True
    # Attachments: content-addressed files; empty directory means var_dir/attachments.
    attachments_dir: Path | None = None
    attachment_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    attachment_types: frozenset[str] = frozenset(
        {"application/pdf", "image/png", "image/jpeg", "text/plain", "text/csv"}
    )
    # How often deadlines are checked (escalations are computed from stored deadlines).
    deadline_check_seconds: float = Field(default=1.0, gt=0)
    # Notifications out: how often webhook deliveries and e-mail alerts are worked through.
    notification_check_seconds: float = Field(default=1.0, gt=0)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    # Waits before each retry of a webhook or an e-mail; after the last one fails, it is given up.
    notification_backoff_seconds: tuple[float, ...] = (10, 30, 120, 600, 3600)
    # Deliveries go out directly; set a proxy URL to send them through an egress proxy instead.
    webhook_proxy: str = ""
    # E-mail alerts are off unless an SMTP host is set.
    smtp_host: str = ""
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_from: str = "fusioncell@localhost"
    smtp_starttls: bool = False
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    # Machine translation of hotline messages (fusioncell.translation): a directory of unpacked Argos
    # packages (CTranslate2 + SentencePiece) for en/ar/he pairs; empty means the feature is absent.
    translation_models: str = ""
    # Prometheus scrapes /metrics with this bearer token; empty: /metrics does not exist.
    metrics_token: SecretStr = SecretStr("")

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / 'fusioncell.db').resolve()}"

    def resolved_key_path(self) -> Path:
        return self.key_path or self.var_dir / "ledger.key"

    def resolved_attachments_dir(self) -> Path:
        return self.attachments_dir or self.var_dir / "attachments"


@lru_cache
def get_settings() -> Settings:
    return Settings()
