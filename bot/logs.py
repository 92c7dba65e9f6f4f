"""Logging set-up. Personal data (NIK, KPJ, phone, what people type) must never reach a log line."""

from __future__ import annotations

import logging

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
}


def configure_logging(level: str = "INFO") -> None:
    """One line per event on stderr; third-party loggers that would leak data are capped."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=level.upper())
    cap_library_loggers()


def cap_library_loggers() -> None:
    for name, most_verbose in QUIET_LOGGERS.items():
        logger = logging.getLogger(name)
        logger.setLevel(max(most_verbose, logger.getEffectiveLevel()))
