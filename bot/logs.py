"""Logging set-up. Personal data (NIK, KPJ, phone, what people type) must never reach a log line.

One line per event, as text or JSON (LOG_FORMAT). While an update is handled, each line carries its update id
and a hash of the user id (`update_context`), so an engineer can follow one person's requests without learning
who they are.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import logging
from datetime import UTC, datetime

# Loggers of libraries that print request contents or URLs, and the most they may say.
QUIET_LOGGERS = {
    # httpx logs every request URL at INFO, and Bot API URLs contain the bot token.
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    # PTB logs every API call's parameters (our messages to participants) and received updates at DEBUG.
    "telegram": logging.INFO,
    # aiosqlite logs every statement with its parameters (NIK, phone...) at DEBUG.
    "aiosqlite": logging.INFO,
    "apscheduler": logging.WARNING,
    # tornado (the webhook server) logs request lines with query strings at INFO.
    "tornado": logging.WARNING,
    "aiohttp.access": logging.WARNING,
}
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s%(context)s"

_update_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("update_id", default=None)
_user: contextvars.ContextVar[str | None] = contextvars.ContextVar("user", default=None)


# The key of the pseudonyms: set from DATA_KEYS at start-up (use_pseudonym_key), so nobody can find a Telegram id
# by hashing the few billion possible ones. Lines logged before the keys are loaded use the unkeyed hash.
_pseudonym_key = b""


def use_pseudonym_key(key: bytes) -> None:
    """Key every pseudonym from now on (at most 64 bytes; the bot passes one derived from DATA_KEYS)."""
    global _pseudonym_key
    _pseudonym_key = key


def user_hash(user_id: int) -> str:
    """A short, stable pseudonym of a Telegram user id, for logs and the audit log (keyed: not reversible by
    hashing candidate ids without DATA_KEYS)."""
    return hashlib.blake2b(str(user_id).encode(), digest_size=6, key=_pseudonym_key, person=b"vokasi-log").hexdigest()


def update_context(update_id: int | None, user_id: int | None) -> None:
    """Mark the log lines of the update being handled (the rest of the handling runs in this context)."""
    _update_id.set(update_id)
    _user.set(None if user_id is None else user_hash(user_id))


class _ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        update_id, user = _update_id.get(), _user.get()
        record.__dict__.update(update_id=update_id, user=user)
        parts = [f"update={update_id}"] if update_id is not None else []
        parts += [f"user={user}"] if user is not None else []
        record.__dict__["context"] = f" [{' '.join(parts)}]" if parts else ""
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, update_id, user, and the error if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("update_id", "user"):
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO", fmt: str = "text") -> None:
    """One line per event on stderr; third-party loggers that would leak data are capped."""
    handler = logging.StreamHandler()
    handler.addFilter(_ContextFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    cap_library_loggers()


def cap_library_loggers() -> None:
    for name, most_verbose in QUIET_LOGGERS.items():
        logger = logging.getLogger(name)
        logger.setLevel(max(most_verbose, logger.getEffectiveLevel()))
