"""Secrets out of every log line: a logging filter on the handlers, for our loggers and gunicorn's.

A handler's filter sees every record that handler writes, whichever logger it came from (a filter on a
logger would miss its children). The message is formatted, redacted and stored back; a traceback is
formatted once, redacted, and kept as the record's exc_text, which formatters print instead.
"""

from __future__ import annotations

import logging

from bot.engine.redact import redact

try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover - gunicorn is a runtime dependency; the CLI works without it
    _GunicornLogger = object  # type: ignore[assignment,misc]


class RedactingFilter(logging.Filter):
    """Masks secrets in a record's message, traceback and stack before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: logging reports it itself, let it through
            return True
        clean = redact(message)
        if clean is not message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FILTER = RedactingFilter()


def install_log_redaction(*loggers: logging.Logger) -> None:
    """Add the filter to every handler of the root logger and of `loggers` (once each)."""
    for logger in (logging.getLogger(), *loggers):
        for handler in logger.handlers:
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)


class RedactingGunicornLogger(_GunicornLogger):  # type: ignore[misc,valid-type]
    """gunicorn's logger with the filter on its error and access handlers (set up in the master)."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        install_log_redaction(self.error_log, self.access_log)
