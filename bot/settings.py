"""Settings from the environment and ``.env`` (pydantic-settings), checked at start."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.i18n import SUPPORTED_LOCALES, normalize_locale
from bot.meetings.jitsi import MIN_SECRET_BYTES, JitsiConfig, normalize_server
from storage import normalize_url


class Settings(BaseSettings):
    """Everything V1tr0 Bot reads from its environment; names are the usual ones."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8",
                                      extra="ignore", case_sensitive=False)

    data_dir: Path = Field(Path("data"), description="Folder for the SQLite file and history.")
    database_url: str = Field("", description="Default: a SQLite file in DATA_DIR.")
    log_level: str = "INFO"
    sqlite_synchronous: Literal["NORMAL", "FULL"] = "NORMAL"
    default_locale: str = "en"
    default_timezone: str = "UTC"

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    discord_token: str | None = None
    jitsi_url: str = "https://meet.jit.si"
    jitsi_app_id: str | None = None
    jitsi_app_secret: str | None = None
    openai_api_key: str | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    openai_embedding_model: str = "text-embedding-3-small"
    whisper_model: str | None = None
    chroma_url: str | None = None

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in logging.getLevelNamesMapping():
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")
        return level

    @field_validator("sqlite_synchronous", mode="before")
    @classmethod
    def _synchronous(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("jitsi_url")
    @classmethod
    def _jitsi_url(cls, value: str) -> str:
        return normalize_server(value)

    @field_validator("jitsi_app_secret")
    @classmethod
    def _jitsi_secret(cls, value: str | None) -> str | None:
        if value and len(value.encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"must be at least {MIN_SECRET_BYTES} bytes long, as HS256 needs")
        return value

    @field_validator("default_locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        locale = normalize_locale(value)
        if locale is None:
            raise ValueError(f"must be one of {', '.join(SUPPORTED_LOCALES)}")
        return locale

    @field_validator("default_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be a time zone name such as Europe/Madrid") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value:
            return value
        try:
            return normalize_url(value)
        except ValueError:
            raise
        except Exception:
            raise ValueError("must be a URL like postgresql://user@host/db or "
                             "sqlite:///path/to/file.db") from None

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            self.database_url = normalize_url(f"sqlite:///{self.data_dir / 'v1tr0.db'}")
        return self

    @property
    def jitsi(self) -> JitsiConfig:
        return JitsiConfig(server=self.jitsi_url, app_id=self.jitsi_app_id,
                           secret=self.jitsi_app_secret)

    @property
    def has_slack(self) -> bool:
        return bool(self.slack_bot_token)

    @property
    def has_discord(self) -> bool:
        return bool(self.discord_token)


class SettingsError(Exception):
    """A setting is missing or wrong; the message names it in one line."""


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning validation errors into one clear line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        name = "_".join(str(part) for part in first["loc"]).upper() or "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"setting {name}: {message}") from None
