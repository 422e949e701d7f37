"""Structured logging: dotted event names with fields, and the request id on every line.

log = get_logger(__name__)
log.info("flag.blocked", flag=key, actor=actor.pk)
"""

from __future__ import annotations

import json
import logging
from typing import Any

from apps.core.context import get_request_id


class StructuredFormatter(logging.Formatter):
    def __init__(self, *args: Any, json: bool = False, **kwargs: Any) -> None:  # noqa: A002
        super().__init__(*args, **kwargs)
        self.as_json = json

    def format(self, record: logging.LogRecord) -> str:
        fields = dict(getattr(record, "fields", {}) or {})
        # Django logs 4xx/5xx answers ("django.request") after the request's context has
        # ended; those records carry the request itself.
        request_id = get_request_id() or getattr(
            getattr(record, "request", None), "request_id", None
        )
        if request_id:
            fields.setdefault("request_id", request_id)
        status_code = getattr(record, "status_code", None)
        if status_code is not None:
            fields.setdefault("status", status_code)
        base = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        if record.exc_info:
            base["exc"] = self.formatException(record.exc_info)
        if self.as_json:
            return json.dumps({**base, **fields}, default=str)
        tail = " ".join(f"{key}={value}" for key, value in fields.items())
        line = f"{base['time']} {base['level']:<7} {base['event']} {tail}".rstrip()
        if record.exc_info:
            line += "\n" + base["exc"]
        return line


class StructuredLogger:
    """A thin wrapper that turns keyword arguments into structured fields."""

    def __init__(self, name: str) -> None:
        self._logger = logging.getLogger(name)

    def _log(self, level: int, event: str, exc_info: Any = None, **fields: Any) -> None:
        if self._logger.isEnabledFor(level):
            self._logger.log(level, event, exc_info=exc_info, extra={"fields": fields})

    def debug(self, event: str, **fields: Any) -> None:
        self._log(logging.DEBUG, event, **fields)

    def info(self, event: str, **fields: Any) -> None:
        self._log(logging.INFO, event, **fields)

    def warning(self, event: str, **fields: Any) -> None:
        self._log(logging.WARNING, event, **fields)

    def error(self, event: str, **fields: Any) -> None:
        self._log(logging.ERROR, event, **fields)

    def exception(self, event: str, **fields: Any) -> None:
        self._log(logging.ERROR, event, exc_info=True, **fields)


def get_logger(name: str) -> StructuredLogger:
    return StructuredLogger(name)
