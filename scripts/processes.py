"""Find this machine's processes by their command line (the benchmark scripts and the
fault tests use it to find the servers `scripts.serve` started)."""

from __future__ import annotations

from pathlib import Path


def pids(fragment: str) -> list[int]:
    """Processes whose command line contains `fragment` (e.g. '--port 5006')."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if fragment in cmdline:
                found.append(int(entry.name))
    return found
