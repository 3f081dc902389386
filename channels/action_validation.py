"""Validate the action server's answers without re-checking Rasa's schema on every message.

Rasa checks every answer of the action server against a JSON schema with
`jsonschema.validate` (rasa/core/actions/action.py, `_validate_action_result`). That function
first validates the *schema itself* against the JSON Schema meta-schema, every call. Rasa's
schema is the same on every call, but checking it cost about a quarter of the Rasa process's
CPU time per message here (py-spy on `make run`, docs/benchmarks.md).

`install()` replaces `jsonschema.validate` in this process with a function that gives the
same result: each distinct schema is checked once and its validator kept; the instance is
validated exactly as before, and the same best-matching `ValidationError` is raised. Calls
with a validator class or extra arguments go to the original function untouched.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import jsonschema
from jsonschema import exceptions, validators

_original = jsonschema.validate


@lru_cache(maxsize=64)
def _validator(schema_json: str) -> Any:
    schema = json.loads(schema_json)
    cls = validators.validator_for(schema)
    cls.check_schema(schema)  # once per distinct schema, as jsonschema.validate does each call
    return cls(schema)


def validate(instance: Any, schema: Any, cls: Any = None, *args: Any, **kwargs: Any) -> None:
    if cls is not None or args or kwargs:
        return _original(instance, schema, cls, *args, **kwargs)
    try:
        key = json.dumps(schema, sort_keys=True)
    except (TypeError, ValueError):  # not plain JSON: leave it to jsonschema
        return _original(instance, schema)
    error = exceptions.best_match(_validator(key).iter_errors(instance))
    if error is not None:
        raise error
    return None


def install() -> None:
    """Use the cached validation for every later `from jsonschema import validate`."""
    jsonschema.validate = validate
