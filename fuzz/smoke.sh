#!/usr/bin/env bash
# Fuzz smoke test for CI: build every fuzz target (stable toolchain, libFuzzer with
# SanitizerCoverage, no sanitizer) and run each for a short time from the committed seeds.
# Fails if a target does not build or finds a crash.
#
#   fuzz/smoke.sh            # 30 s per target
#   FUZZ_SECONDS=10 fuzz/smoke.sh
#
# Run from anywhere; it works in the fuzz/ directory. Crash inputs land in
# fuzz/artifacts/<target>/; copy them to tests/data/crash/<target>-<description>.
set -euo pipefail
cd "$(dirname "$0")"
. ./env.sh
seconds="${FUZZ_SECONDS:-30}"
# A fixed seed makes a run explore the same inputs in the same order: a shorter run on a
# slower machine (CI) sees a prefix of what a longer run here saw.
seed="${FUZZ_SEED:-1}"
targets=(normalize_line differential schema time text)

start=$(date +%s)
cargo build --release --target "$FUZZ_TARGET_TRIPLE" --bins
echo "fuzz smoke: built in $(( $(date +%s) - start )) s"

status=0
for t in "${targets[@]}"; do
    case "$t" in
        schema) seeds=seeds/schemas dict=schema.dict ;;
        time) seeds=seeds/time dict=normalog.dict ;;
        text) seeds=seeds/text dict=text.dict ;;
        *) seeds=seeds/records dict=normalog.dict ;;
    esac
    # A fresh corpus each run, seeded from the committed inputs, so CI is reproducible.
    corpus="$(mktemp -d)"
    mkdir -p "artifacts/$t"
    if "$FUZZ_BIN/$t" "$corpus" "$seeds" -dict="$dict" -max_total_time="$seconds" -seed="$seed" \
        -print_final_stats=1 -artifact_prefix="artifacts/$t/" >"artifacts/$t/smoke.log" 2>&1; then
        echo "fuzz smoke: $t ok ($(grep -E '^stat::number_of_executed_units' "artifacts/$t/smoke.log" | awk '{print $2}') runs)"
    else
        echo "fuzz smoke: $t FAILED; see fuzz/artifacts/$t/smoke.log"
        grep -A8 -E 'panicked|ERROR' "artifacts/$t/smoke.log" | head -40 || true
        status=1
    fi
    rm -rf "$corpus"
done
echo "fuzz smoke: done in $(( $(date +%s) - start )) s"
exit "$status"
