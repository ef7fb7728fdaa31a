# Shared by scripts/demo and scripts/test (sourced, not run): make sure .venv holds dmpkit[dev].
# Reinstalls only when pyproject.toml changed since the last install, so repeated runs stay fast.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO_ROOT/.venv"
PY="$VENV/bin/python"

ensure_venv() {
    if [ ! -x "$PY" ]; then
        echo "==> creating the virtual environment .venv"
        python3 -m venv "$VENV"
        "$PY" -m pip install --quiet --upgrade pip
    fi
    local stamp="$VENV/.dmpkit-installed" wanted
    wanted="$(sha256sum "$REPO_ROOT/pyproject.toml" | cut -d' ' -f1)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
        echo "==> installing dmpkit and its development dependencies into .venv"
        "$PY" -m pip install --quiet --disable-pip-version-check -e "$REPO_ROOT[dev]"
        echo "$wanted" >"$stamp"
    fi
}
