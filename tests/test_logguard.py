"""Log guards (channels/logguard.py): debug logging only when a developer asks for it, never in
production, and no query strings in the access log. The end-to-end log check is in
test_end_to_end.py."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from channels.logguard import DEBUG_FLAG, MODE, NoQueryString, refusal

ROOT = Path(__file__).resolve().parent.parent


def test_debug_logging_needs_the_developer_flag():
    assert refusal({"LOG_LEVEL": "INFO"}, loggers=()) is None
    assert refusal({"LOG_LEVEL": "WARNING", "LOG_LEVEL_LIBRARIES": "ERROR"}, loggers=()) is None
    assert DEBUG_FLAG in refusal({"LOG_LEVEL": "DEBUG"}, loggers=())
    assert DEBUG_FLAG in refusal({"LOG_LEVEL_LIBRARIES": "debug"}, loggers=())
    assert refusal({"LOG_LEVEL": "DEBUG", DEBUG_FLAG: "1"}, loggers=()) is None


def test_debug_logging_is_refused_in_production_even_with_the_flag():
    reason = refusal({"LOG_LEVEL": "DEBUG", DEBUG_FLAG: "1", MODE: "production"}, loggers=())
    assert reason and "production" in reason


def test_a_logger_set_to_debug_by_hand_counts_too():
    logger = logging.getLogger("wegwijzer-test-guard")
    logger.setLevel(logging.DEBUG)
    assert refusal({}, loggers=["wegwijzer-test-guard"]) is not None


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in (DEBUG_FLAG, MODE, "LOG_LEVEL")}
    return subprocess.run(args, cwd=ROOT, env={**clean, **env}, capture_output=True, text=True,
                          timeout=120)


def test_the_launcher_refuses_debug_logging_before_starting_anything():
    result = run([sys.executable, "-m", "scripts.serve", "README.md"], LOG_LEVEL="DEBUG")
    assert result.returncode == 1
    assert DEBUG_FLAG in result.stderr
    assert "ready" not in result.stdout


def test_the_action_server_package_refuses_debug_logging():
    result = run([sys.executable, "-c", "import actions"], LOG_LEVEL="DEBUG", **{MODE: "production", DEBUG_FLAG: "1"})
    assert result.returncode != 0
    assert "production" in result.stderr


def test_access_log_lines_lose_their_query_string():
    record = logging.LogRecord("sanic.access", logging.INFO, __file__, 1, "", None, None)
    record.request = "GET http://localhost:5005/socket.io/?EIO=4&transport=polling&sid=AbC123"
    assert NoQueryString().filter(record)
    assert record.request == "GET http://localhost:5005/socket.io/"
