#!/usr/bin/env bash
# Print the absolute path of a CPython 3.13 interpreter, or fail with a clear message.
#
# Looked for, in order: $HOOKGATE_PYTHON; the newest 3.13.x that pyenv knows
# (`pyenv versions --bare`); `python3.13` on PATH. A pyenv shim that cannot run is skipped.
set -euo pipefail

is_313() {
    "$1" -c 'import sys; raise SystemExit(sys.version_info[:2] != (3, 13))' >/dev/null 2>&1
}

real_path() {
    "$1" -c 'import sys; print(sys.executable)'
}

candidates=()
if [[ -n "${HOOKGATE_PYTHON:-}" ]]; then
    candidates+=("$HOOKGATE_PYTHON")
fi
if command -v pyenv >/dev/null 2>&1; then
    root=$(pyenv root)
    while read -r version; do
        candidates+=("$root/versions/$version/bin/python3.13")
    done < <(pyenv versions --bare 2>/dev/null | grep -E '^3\.13(\.[0-9]+)?$' | sort -rV)
fi
if command -v python3.13 >/dev/null 2>&1; then
    candidates+=("$(command -v python3.13)")
fi

for candidate in "${candidates[@]}"; do
    if [[ -x "$candidate" ]] && is_313 "$candidate"; then
        real_path "$candidate"
        exit 0
    fi
done

echo "find-python: no Python 3.13 found (tried HOOKGATE_PYTHON, pyenv 3.13.x, python3.13 on PATH)." >&2
echo "find-python: install one (e.g. 'pyenv install 3.13') or set HOOKGATE_PYTHON=/path/to/python3.13." >&2
exit 1
