#!/usr/bin/env bash
# Install cdc-tutor into a private virtual environment, put `cdc-tutor` on PATH, then start it.
#
# Works as a non-root user with nothing but the system python3 (PEP 668 "externally managed"
# interpreters included: nothing is installed into them). Re-running upgrades in place.
#
#   bash scripts/install.sh               install or upgrade for this user, then start the tutor
#   bash scripts/install.sh --no-start    install or upgrade only
#   bash scripts/install.sh --uninstall   remove the program; progress and labs stay
#   sudo bash scripts/install.sh --system one install for every user of the machine (workshops)
#
# Environment: PYTHON (default python3), CDC_TUTOR_HOME (where the environment goes),
# CDC_TUTOR_BIN_DIR (where the `cdc-tutor` command goes).
set -euo pipefail

SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
MIN_PYTHON="3.11"
mode=install
start=yes
system=no
for argument in "$@"; do
    case "$argument" in
        --no-start) start=no ;;
        --uninstall) mode=uninstall ;;
        --system) system=yes ;;
        -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install.sh: unknown option: $argument (try --help)" >&2; exit 2 ;;
    esac
done

if [ "$system" = yes ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "install.sh: --system installs for every user and needs root: sudo bash $0 --system" >&2
        exit 1
    fi
    HOME_DIR="${CDC_TUTOR_HOME:-/opt/cdc-tutor}"
    BIN_DIR="${CDC_TUTOR_BIN_DIR:-/usr/local/bin}"
else
    HOME_DIR="${CDC_TUTOR_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/cdc-tutor/app}"
    BIN_DIR="${CDC_TUTOR_BIN_DIR:-$HOME/.local/bin}"
fi
VENV="$HOME_DIR/venv"
COMMAND="$BIN_DIR/cdc-tutor"

if [ "$mode" = uninstall ]; then
    if [ -L "$COMMAND" ] && [ "$(readlink "$COMMAND")" = "$VENV/bin/cdc-tutor" ]; then
        rm -f "$COMMAND"
    fi
    rm -rf "$VENV"
    rmdir "$HOME_DIR" 2>/dev/null || true
    echo "cdc-tutor removed ($VENV, $COMMAND)."
    echo "Your progress and lab data are kept; 'cdc-tutor progress export' before uninstalling saves them too."
    exit 0
fi

if ! command -v "$PYTHON" >/dev/null 2>&1; then
    echo "install.sh: $PYTHON not found. Install Python $MIN_PYTHON or newer (Debian/Ubuntu: sudo apt install python3 python3-venv)." >&2
    exit 1
fi
if ! "$PYTHON" -c "import sys; sys.exit(sys.version_info < (3, 11))"; then
    echo "install.sh: cdc-tutor needs Python $MIN_PYTHON or newer; $PYTHON is $("$PYTHON" -V 2>&1)." >&2
    echo "Set PYTHON=/path/to/python3.11 (or newer) and run this again." >&2
    exit 1
fi

mkdir -p "$HOME_DIR" "$BIN_DIR"
if [ ! -x "$VENV/bin/python" ]; then
    echo "Creating the tutor's own Python environment in $VENV"
    if ! "$PYTHON" -m venv "$VENV" 2>/tmp/cdc-tutor-venv.$$; then
        cat /tmp/cdc-tutor-venv.$$ >&2
        rm -f /tmp/cdc-tutor-venv.$$
        rm -rf "$VENV"
        echo >&2
        echo "install.sh: '$PYTHON -m venv' does not work here." >&2
        echo "  Debian/Ubuntu: sudo apt install python3-venv   (or python3.X-venv for your version)" >&2
        echo "  Without root: 'pipx install $SOURCE' or 'uv tool install $SOURCE' also work, where present." >&2
        exit 1
    fi
    rm -f /tmp/cdc-tutor-venv.$$
fi

echo "Installing cdc-tutor from $SOURCE (dependencies come from PyPI; this takes a minute the first time)"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
# --upgrade on a folder rebuilds it: re-running the script is how the tutor is upgraded.
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "$SOURCE"
ln -sfn "$VENV/bin/cdc-tutor" "$COMMAND"
if [ "$system" = yes ]; then
    chmod -R a+rX "$HOME_DIR"  # every student runs it; each one's data stays in their own home
fi
echo "cdc-tutor $("$VENV/bin/python" -c 'import cdc_tutor; print(cdc_tutor.__version__)') installed: $COMMAND"

case ":$PATH:" in
    *":$BIN_DIR:"*) ;;
    *) echo "Note: $BIN_DIR is not on your PATH. Add it (e.g. to ~/.profile):  export PATH=\"$BIN_DIR:\$PATH\"" ;;
esac

if [ "$start" = yes ] && [ "$system" = no ]; then
    exec "$COMMAND"
fi
