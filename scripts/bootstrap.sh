#!/usr/bin/env bash
# Create or refresh the local environments, idempotently:
#   .venv           the project (editable) with its dev extras, on Python 3.13: hookgate and
#                   hookgate-dev (devkit/) in one pip call, so the dev extra's requirement on
#                   hookgate-dev is met by the checkout and never looked up in an index
#   .tools/sam      the SAM CLI (with cfn-lint), kept apart because it pins its own dependencies
#   .tools/checkov  checkov, which scans template.yaml; kept apart for the same reason
#   browser         Chromium from the system packages (/usr/bin/chromium), which the inspector's
#                   browser tests drive through Playwright; apt-get installs it when it is
#                   missing and apt-get can run as root, otherwise those tests skip (said here)
# Each carries a stamp (hash of its inputs + interpreter version); an environment whose stamp
# matches is left alone, so a second run costs well under a second.
#
#   scripts/bootstrap.sh                  all four
#   scripts/bootstrap.sh venv             only .venv (what `make dev` and the Python checks need)
#   scripts/bootstrap.sh venv sam         any subset: venv, sam, checkov, browser
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

python=$(scripts/find-python.sh)
python_version=$("$python" -c 'import sys; print(sys.version.split()[0])')

stamp_of() {  # stamp_of <input file>...
    { sha256sum "$@" | cut -d' ' -f1; echo "python $python_version"; } | sha256sum | cut -d' ' -f1
}

# ensure_venv <dir> <stamp> <pip install args>...
ensure_venv() {
    local dir=$1 stamp=$2
    shift 2
    if [[ -x "$dir/bin/python" ]] &&
        [[ "$("$dir/bin/python" -c 'import sys; print(sys.version.split()[0])' 2>/dev/null)" == "$python_version" ]]; then
        if [[ -f "$dir/.hookgate-stamp" && "$(cat "$dir/.hookgate-stamp")" == "$stamp" ]]; then
            echo "bootstrap: $dir is up to date (Python $python_version)"
            return 0
        fi
    else
        echo "bootstrap: creating $dir with $python"
        rm -rf "$dir"
        "$python" -m venv "$dir"
    fi
    echo "bootstrap: installing into $dir: $* (a first install takes minutes; progress below)"
    rm -f "$dir/.hookgate-stamp"
    local started=$SECONDS
    # Progress: one line per distribution pip collects, then the install step. A pip.conf may
    # name local index directories that lack most projects; pip then warns once per package.
    # Those lines are dropped, every other warning and error is kept.
    "$dir/bin/python" -m pip install --progress-bar off "$@" \
        2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2) |
        { grep --line-buffered -E '^(Collecting|Installing collected|Successfully installed)' || true; } |
        while IFS= read -r line; do line=${line%% (from *}; printf '  %s\n' "${line:0:110}"; done
    echo "bootstrap: $dir ready in $((SECONDS - started)) s"
    echo "$stamp" >"$dir/.hookgate-stamp"
}

# ensure_browser: /usr/bin/chromium, from Debian's chromium package (never a browser download).
ensure_browser() {
    local chromium=/usr/bin/chromium skip="the inspector's browser tests will skip"
    if [[ -x $chromium ]]; then
        echo "bootstrap: Chromium is installed ($chromium)"
        return 0
    fi
    if ! command -v apt-get >/dev/null; then
        echo "bootstrap: no $chromium and no apt-get to install it: $skip"
        return 0
    fi
    local as_root=()
    if [[ $(id -u) -ne 0 ]]; then
        if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
            as_root=(sudo -n)
        else
            echo "bootstrap: no $chromium, and apt-get needs root: $skip (install the chromium package)"
            return 0
        fi
    fi
    echo "bootstrap: installing Chromium with apt-get (about a minute)"
    local started=$SECONDS
    if "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null &&
        "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -q --no-install-recommends chromium >/dev/null; then
        echo "bootstrap: Chromium ready in $((SECONDS - started)) s ($chromium)"
    else
        echo "bootstrap: apt-get could not install chromium: $skip" >&2
    fi
}

wanted=("$@")
[[ ${#wanted[@]} -gt 0 ]] || wanted=(venv sam checkov browser)
for env in "${wanted[@]}"; do
    case $env in
        venv) ensure_venv .venv "$(stamp_of pyproject.toml devkit/pyproject.toml)" -e '.[dev]' -e ./devkit ;;
        sam) ensure_venv .tools/sam "$(stamp_of scripts/tools-requirements.txt)" -r scripts/tools-requirements.txt ;;
        checkov) ensure_venv .tools/checkov "$(stamp_of scripts/checkov-requirements.txt)" -r scripts/checkov-requirements.txt ;;
        browser) ensure_browser ;;
        *) echo "bootstrap: unknown environment $env (venv, sam, checkov, browser)" >&2; exit 2 ;;
    esac
done
