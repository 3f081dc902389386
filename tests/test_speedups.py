"""The two speed-ups of the served path give exactly the results of the code they replace:
Rasa's check of the action server's answers (channels/action_validation.py) and the linear
classifiers' weight layout (components/linear.py)."""

from __future__ import annotations

import jsonschema
import numpy as np
import pytest
from rasa.core.actions.action import RemoteAction
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from channels import action_validation
from components.linear import for_sparse_rows

SPEC = RemoteAction("action_answer_route", None).action_response_format_spec()
GOOD = {"events": [{"event": "slot", "name": "topic", "value": "pesten", "timestamp": None}],
        "responses": [{"text": "Fijn dat je dit vertelt.", "buttons": [{"title": "Meer", "payload": "/meer_info"}]}]}
BAD = [
    {"events": [{"event": "slot"}], "responses": "geen lijst"},
    {"events": [{"event": "bestaat_niet"}], "responses": []},
    {"events": "x"},
    {"responses": [3]},
]


def outcome(validate, instance, schema=SPEC):
    try:
        validate(instance, schema)
    except jsonschema.ValidationError as error:
        return error.message, list(error.absolute_path), error.validator
    return None


@pytest.mark.parametrize("instance", [GOOD, *BAD])
def test_cached_validation_decides_and_explains_as_jsonschema_does(instance):
    assert outcome(action_validation.validate, instance) == outcome(action_validation._original, instance)


def test_the_served_rasa_uses_it_and_checks_the_schema_once(monkeypatch):
    import channels.privacy  # noqa: F401 - loading the edge installs the cached validation

    assert jsonschema.validate is action_validation.validate
    checks = []
    original = jsonschema.validators.Draft202012Validator.check_schema
    monkeypatch.setattr(jsonschema.validators.Draft202012Validator, "check_schema",
                        classmethod(lambda cls, schema: checks.append(1) or original(schema)))
    action_validation._validator.cache_clear()
    action = RemoteAction("action_answer_route", None)
    for _ in range(5):
        assert action._validate_action_result(GOOD)
    with pytest.raises(jsonschema.ValidationError, match="is not of type 'array'.*Action server"):
        action._validate_action_result(BAD[0])
    assert len(checks) == 1


def test_a_broken_schema_is_still_refused():
    with pytest.raises(jsonschema.SchemaError):
        action_validation.validate({}, {"type": "geen-type"})


def test_weights_stored_for_sparse_rows_give_identical_probabilities():
    texts = ["ik word gepest", "mijn baas schreeuwt", "een klant sloeg me", "ze lachen me uit",
             "hij raakt me aan", "ik krijg minder loon als vrouw"] * 3
    labels = ["pesten", "agressie", "agressie", "pesten", "seks", "discr"] * 3
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)).fit(texts)
    classifier = LogisticRegression(max_iter=1000).fit(vectorizer.transform(texts), labels)
    queries = vectorizer.transform(["mijn collega pest me", "een klant schreeuwde"])
    before = classifier.predict_proba(queries)
    assert for_sparse_rows(classifier) is classifier and classifier.coef_.flags["F_CONTIGUOUS"]
    assert np.array_equal(classifier.predict_proba(queries), before)
