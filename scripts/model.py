"""Train the Rasa model only when its inputs changed.

The model file is named after a fingerprint (SHA-256) of everything training reads: the
training data, the domain, the pipeline config and the Dutch spaCy pipeline. A model whose
name matches is up to date; file timestamps play no part, so a fresh clone, a `touch` or a
branch switch never causes a needless retrain, and any real edit always causes one.

Usage:
  python -m scripts.model path     print the model path for the current inputs
  python -m scripts.model ensure   train if that model is missing, then print its path
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
PREFIX = "wegwijzer-"
# What training reads. Directories are hashed file by file (path and content).
INPUTS = ["config.yml", "domain.yml", "data", "build/spacy_nl", "components"]


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    raise SystemExit(f"training input missing: {path.relative_to(ROOT)} (run `make install` first)")


def fingerprint() -> str:
    digest = hashlib.sha256()
    for name in INPUTS:
        for file in _files(ROOT / name):
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(b"\0")
            digest.update(file.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_path() -> Path:
    return MODELS / f"{PREFIX}{fingerprint()}.tar.gz"


def ensure() -> Path:
    target = model_path()
    if target.exists():
        print(f"Model is up to date: {target.relative_to(ROOT)}", file=sys.stderr)
        return target
    print(f"Training data or config changed: training {target.relative_to(ROOT)}", file=sys.stderr)
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    rasa = Path(sys.executable).parent / "rasa"
    subprocess.run(
        [str(rasa), "train", "--config", "config.yml", "--domain", "domain.yml", "--data", "data",
         "--out", str(MODELS), "--fixed-model-name", target.name.removesuffix(".tar.gz")],
        cwd=ROOT, env=env, check=True, stdout=sys.stderr,  # progress visible; stdout is the path
    )
    if not target.exists():
        raise SystemExit(f"rasa train finished but {target} was not written")
    # Older fingerprints can never be served again by `make run`; keep models/ small.
    for old in MODELS.glob(f"{PREFIX}*.tar.gz"):
        if old != target:
            old.unlink()
    return target


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "path":
        print(model_path())
    elif command == "ensure":
        print(ensure())
    else:
        raise SystemExit(__doc__)
