"""Settings read once, by the composition root, from the environment (and an optional .env file)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{ROOT / 'tsgbot.db'}"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    knowledge_dir: Path = ROOT / "knowledge"
    log_level: str = "INFO"

    @property
    def safe_database_url(self) -> str:
        """The database URL with any password masked, for messages and logs."""
        from bot.redact import redact

        return redact(self.database_url)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        return cls(
            database_url=env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            knowledge_dir=Path(env.get("KNOWLEDGE_DIR") or ROOT / "knowledge"),
            log_level=env.get("LOG_LEVEL", "INFO").upper(),
        )
