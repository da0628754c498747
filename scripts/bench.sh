#!/usr/bin/env bash
# Release benchmark of `hindsight build` on generated corpora (not part of `cargo test`).
#
#   scripts/bench.sh [WORKDIR] [SIZES...]     default: /tmp/hindsight-bench 1000 10000
#
# Generates each corpus with examples/gen_corpus.rs (seed 42), builds hindsight --release,
# and times `hindsight build` with hyperfine when installed, otherwise with a loop of
# /usr/bin/time runs; one /usr/bin/time -v run each of `check` and `build` gives CPU time
# and maximum resident memory. On a shared machine, compare user+sys, not only wall time.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-/tmp/hindsight-bench}"
shift || true
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000 10000)
runs="${BENCH_RUNS:-5}"
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

    # One measured run each for CPU time and peak memory (hyperfine reports neither).
    for cmd in check build; do
        log="$(mktemp)"
        (cd "$dir" && /usr/bin/time -v "$bin" "$cmd" >/dev/null 2>"$log") || [ "$cmd" = check ] || { cat "$log"; exit 1; }
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
        rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
        user=$(awk -F': ' '/User time/ {print $2}' "$log")
        sys=$(awk -F': ' '/System time/ {print $2}' "$log")
        echo "hindsight $cmd: wall $wall, user ${user}s, sys ${sys}s, max RSS $((rss / 1024)) MiB"
        rm -f "$log"
    done

    if command -v hyperfine >/dev/null 2>&1; then
        hyperfine --warmup 1 --runs "$runs" --command-name "hindsight build ($n)" \
            "cd '$dir' && '$bin' build >/dev/null 2>&1"
    else
        echo "hyperfine not installed: $runs runs with /usr/bin/time"
        walls=()
        for i in $(seq 1 "$runs"); do
            log="$(mktemp)"
            (cd "$dir" && /usr/bin/time -f '%e' "$bin" build >/dev/null 2>"$log") || { cat "$log"; exit 1; }
            walls+=("$(tail -1 "$log")")
            rm -f "$log"
        done
        printf '%s\n' "${walls[@]}" | sort -n |
            awk '{ a[NR] = $1 } END { printf "wall time: min %.2f s, median %.2f s, max %.2f s over %d runs\n", a[1], a[int((NR + 1) / 2)], a[NR], NR }'
    fi
done
