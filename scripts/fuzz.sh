#!/bin/sh
# Run the parsing property test (tests/it/fuzz.rs) for longer, in release mode.
#   scripts/fuzz.sh [SECONDS] [SEED]      default: 600 seconds from seed 1
# A failure prints the seed and writes the input to target/fuzz-failure.md; rerun one
# case with HINDSIGHT_FUZZ_SEED=<seed> HINDSIGHT_FUZZ_SECS=0.01.
set -eu
cd "$(dirname "$0")/.."
HINDSIGHT_FUZZ_SECS="${1:-600}" HINDSIGHT_FUZZ_SEED="${2:-1}" \
  cargo test --release --test it fuzz:: -- --nocapture
