"""Log guards: no message text and no channel id in any log unless a developer asks for it.

At DEBUG Rasa logs every message's text and parse result, and the action server logs whole
trackers. So DEBUG (LOG_LEVEL=DEBUG, `rasa run --debug`, `-vv`) is refused unless
WEGWIJZER_DEBUG_LOGS=1 is set, and refused always when WEGWIJZER_MODE=production. Every
server checks this at start-up (scripts/serve.py, the input channels, the action package), so
a bot started by hand with `rasa run --debug` stops too.

Sanic's access log (written only with `rasa run --log-file`) would carry each request's query
string, and socket.io puts the browser's session id there (`?EIO=4&sid=...`): query strings
are cut from every access-log line.
"""

from __future__ import annotations

import logging
import os
from typing import Iterable, Mapping

DEBUG_FLAG = "WEGWIJZER_DEBUG_LOGS"
MODE = "WEGWIJZER_MODE"
LOGGERS = ("rasa", "rasa_sdk", "sanic.root", "sanic.access", "socketio", "engineio", "")


def _debug_requested(env: Mapping[str, str], loggers: Iterable[str]) -> bool:
    levels = [env.get("LOG_LEVEL", ""), env.get("LOG_LEVEL_LIBRARIES", "")]
    if any(level.strip().upper() in {"DEBUG", "NOTSET", "10"} for level in levels):
        return True
    return any(logging.getLogger(name).getEffectiveLevel() <= logging.DEBUG for name in loggers)


def refusal(env: Mapping[str, str] | None = None, loggers: Iterable[str] = LOGGERS) -> str | None:
    """Why this process may not run with its log settings, or None when it may."""
    env = os.environ if env is None else env
    if not _debug_requested(env, loggers):
        return None
    if env.get(MODE, "").strip().lower() == "production":
        return (f"debug logging writes message text to the log, and {MODE}=production "
                "forbids it: use LOG_LEVEL=INFO or higher")
    if env.get(DEBUG_FLAG) != "1":
        return (f"debug logging writes message text to the log: set {DEBUG_FLAG}=1 to allow "
                "it on a developer machine (never with real users), or use LOG_LEVEL=INFO "
                "or higher")
    return None


def enforce(loggers: Iterable[str] = LOGGERS) -> None:
    """Stop the process (with the reason) when its log settings are not allowed."""
    reason = refusal(loggers=loggers)
    if reason:
        raise SystemExit(f"Wegwijzer refuses to start: {reason}")


class NoQueryString(logging.Filter):
    """Cuts the query string from the request in Sanic's access-log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if isinstance(request, str) and "?" in request:
            record.request = request.split("?", 1)[0]
        return True


def install() -> None:
    """Check the log settings and cut query strings from the access log (idempotent)."""
    enforce()
    access = logging.getLogger("sanic.access")
    if not any(isinstance(f, NoQueryString) for f in access.filters):
        access.addFilter(NoQueryString())
