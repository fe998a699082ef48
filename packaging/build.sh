#!/usr/bin/env bash
# Build the one-folder bundle for this platform and check it with its own self-test.
#
#   packaging/build.sh                 # -> dist/studio-desktop/
#   packaging/build.sh --no-selftest   # build only
#   DIST=/tmp/out WORK=/tmp/build packaging/build.sh
#
# Uses .venv (./dev makes it; `pip install -e ".[packaging]"` adds PyInstaller).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

selftest=1
for arg in "$@"; do
    case "$arg" in
        --no-selftest) selftest=0 ;;
        *) echo "usage: packaging/build.sh [--no-selftest]" >&2; exit 2 ;;
    esac
done

python="${PYTHON:-$here/.venv/bin/python}"
if [ ! -x "$python" ]; then
    echo "No virtual environment in .venv: run ./dev test once (or set PYTHON)." >&2
    exit 1
fi
if ! "$python" -c 'import PyInstaller' 2>/dev/null; then
    echo "==> Installing PyInstaller (the packaging extra)" >&2
    "$python" -m pip install -q -e ".[packaging]"
fi

# A build for a studio can carry its ShootProof app's client id, so "Sign in with your browser"
# works without anyone typing it in (see packaging/README.md).
build_info="$here/studio_desktop/_build_info.py"
rm -f "$build_info"
if [ -n "${STUDIO_DESKTOP_BUILD_CLIENT_ID:-}" ]; then
    "$python" - "$build_info" <<'PY'
import os, sys
client_id = os.environ["STUDIO_DESKTOP_BUILD_CLIENT_ID"].strip()
with open(sys.argv[1], "w", encoding="utf-8") as out:
    out.write('"""Written by packaging/build.sh; not in git."""\n\n')
    out.write(f"SHOOTPROOF_CLIENT_ID = {client_id!r}\n")
PY
    trap 'rm -f "$build_info"' EXIT
    echo "==> Carrying ShootProof client id ${STUDIO_DESKTOP_BUILD_CLIENT_ID:0:4}… in the bundle" >&2
fi

dist="${DIST:-$here/dist}"
work="${WORK:-$here/build/pyinstaller}"
echo "==> Building the bundle into $dist/studio-desktop" >&2
"$python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$dist" --workpath "$work" packaging/studio-desktop.spec

case "$(uname -s)" in
    MINGW*|MSYS*|CYGWIN*) exe="$dist/studio-desktop/studio-desktop-console.exe" ;;
    *) exe="$dist/studio-desktop/studio-desktop" ;;
esac
echo "==> $("$exe" --version), $(du -sh "$dist/studio-desktop" | cut -f1) on disk" >&2
if [ "$selftest" = 1 ]; then
    echo "==> Running the bundle's self-test" >&2
    QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}" "$exe" --selftest
fi
