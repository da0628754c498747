#!/usr/bin/env bash
# Build the sample archive and screenshot its dashboard with headless Chromium, in the
# light and the dark colour scheme, to look at by eye. Images go to $OUT (default
# /tmp/hindsight-screens), never into the repository.
#
#   scripts/screenshot.sh [PAGE ...]     PAGE relative to public/, default dashboard/index.html
#
# Env: OUT (image folder), AS_OF (default 2026-11-26), CARGO_TARGET_DIR, WIDTH, HEIGHT,
# OFFSETS (space-separated pixel offsets: one screenshot per offset, scrolled that far
# down through a wrapper page, so long pages can be looked at part by part),
# PRINT=1 (also print each page to PDF as Chromium prints it, in the dark colour scheme
# too so that the print stylesheet must undo it, and turn the PDF's pages into PNGs
# with pdftoppm, installed with apt-get when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/hindsight-screens}
AS_OF=${AS_OF:-2026-11-26}
WIDTH=${WIDTH:-1280}
HEIGHT=${HEIGHT:-2400}
pages=("$@")
[ ${#pages[@]} -eq 0 ] && pages=(dashboard/index.html)

need() { # command, Debian package
  if ! command -v "$1" >/dev/null; then
    echo "$1 not found; installing $2 with apt-get" >&2
    sudo apt-get install -y "$2" >/dev/null || apt-get install -y "$2" >/dev/null
  fi
}
need chromium chromium
[ "${PRINT:-0}" = 1 ] && need pdftoppm poppler-utils

cargo build --quiet
bin="${CARGO_TARGET_DIR:-target}/debug/hindsight"
site=$(mktemp -d)
trap 'rm -rf "$site"' EXIT
cp -r site.toml content "$site"/
"$bin" build --root "$site" --as-of "$AS_OF" >/dev/null

mkdir -p "$OUT"
OFFSETS=${OFFSETS:-0}
shots=()
for page in "${pages[@]}"; do
  for offset in $OFFSETS; do
    if [ "$offset" = 0 ]; then
      shots+=("$page")
    else
      wrapper="public/screenshot-$offset-$(echo "$page" | tr '/' '_')"
      printf '<!doctype html><body style="margin:0;overflow:hidden"><iframe src="%s" style="position:absolute;top:-%spx;left:0;width:%spx;height:%spx;border:0"></iframe>' \
        "$page" "$offset" "$WIDTH" "$((offset + HEIGHT))" >"$site/$wrapper"
      shots+=("$(basename "$wrapper")")
    fi
  done
done
# File name for a page, and Chromium's flags for a colour scheme.
shot_name() { echo "$1" | tr '/#' '__' | sed 's/_index\.html//; s/\.html//'; }
chromium_page() { # SCHEME URL ARGS...: headless Chromium in light or dark scheme
  local scheme=$1 url=$2
  shift 2
  local flags=()
  [ "$scheme" = dark ] && flags=(--force-dark-mode --blink-settings=preferredColorScheme=0)
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    "${flags[@]}" "$@" "$url" 2>/dev/null
}
for page in "${shots[@]}"; do
  name=$(shot_name "$page")
  for scheme in light dark; do
    chromium_page "$scheme" "file://$site/public/$page" --hide-scrollbars \
      --window-size="$WIDTH,$HEIGHT" --screenshot="$OUT/$name-$scheme.png"
    echo "$OUT/$name-$scheme.png"
  done
done
if [ "${PRINT:-0}" = 1 ]; then
  for page in "${pages[@]}"; do
    name=$(shot_name "$page")
    for scheme in light dark; do
      chromium_page "$scheme" "file://$site/public/$page" --no-pdf-header-footer \
        --print-to-pdf="$OUT/$name-print-$scheme.pdf"
      pdftoppm -png -r 60 "$OUT/$name-print-$scheme.pdf" "$OUT/$name-print-$scheme"
      ls "$OUT/$name-print-$scheme"*.png
    done
  done
fi
