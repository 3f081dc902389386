#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter, or explain what to install and exit 1.
# rasa 3.6.21 supports Python 3.8-3.10 only; this project is tested on 3.10.
# Order: $PYTHON, python3.10 on PATH, pyenv's 3.10.x, the usual system locations.
set -u

is_py310() {
  [ -n "$1" ] && "$1" -c 'import sys, venv; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1
}

candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
candidates+=("$(command -v python3.10 2>/dev/null || true)")
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root 2>/dev/null || true)
  if [ -n "$root" ]; then
    # Newest 3.10.x that pyenv has installed.
    for dir in $(ls -d "$root"/versions/3.10.* 2>/dev/null | sort -t. -k3 -n -r); do
      candidates+=("$dir/bin/python3.10")
    done
  fi
fi
for dir in $(ls -d "$HOME"/.pyenv/versions/3.10.* 2>/dev/null); do candidates+=("$dir/bin/python3.10"); done
candidates+=(/usr/local/bin/python3.10 /usr/bin/python3.10)

for c in "${candidates[@]}"; do
  if is_py310 "$c"; then
    echo "$c"
    exit 0
  fi
done

cat >&2 <<'MSG'
error: Python 3.10 was not found (rasa 3.6.21 needs Python 3.10, with the venv module).
  Install it, for example with pyenv:   pyenv install 3.10.13
  or Debian/Ubuntu packages:            python3.10 python3.10-venv
  or point to an interpreter:           make PYTHON=/path/to/python3.10 run
MSG
exit 1
