# Source this: the flags cargo-fuzz passes for `--sanitizer none`, which work on stable rustc.
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table -Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cllvm-args=-simplifycfg-branch-fold-threshold=0 -Cdebug-assertions -Coverflow-checks"
FUZZ_TARGET_TRIPLE="$(rustc -vV | sed -n 's/^host: //p')"
FUZZ_BIN="${CARGO_TARGET_DIR:-target}/$FUZZ_TARGET_TRIPLE/release"
export FUZZ_TARGET_TRIPLE FUZZ_BIN
