"""Faster predictions from a fitted scikit-learn linear model on sparse features.

`LogisticRegression.decision_function` computes `X @ coef_.T`. With `X` a sparse row and
`coef_` stored row by row (C order), scipy copies the whole transposed weight matrix on
every call before multiplying: 4.6 ms per message for the IntentBlend's 31 x 38,026
weights, against 0.08 ms when the weights are stored column by column (Fortran order), so
that `coef_.T` needs no copy. The numbers are the same values in another memory layout;
the predictions are bitwise identical (checked when this was written, and in
tests/test_speedups.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np


def for_sparse_rows(classifier: Any) -> Any:
    """Store a fitted linear classifier's weights so that sparse inputs need no copy."""
    if getattr(classifier, "coef_", None) is not None:
        classifier.coef_ = np.asfortranarray(classifier.coef_)
    return classifier
