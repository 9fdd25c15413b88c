#!/usr/bin/env bash
# Many small inputs against the same records in one file: what each input file costs
# beyond its records, for NDJSON and Parquet (--partition hour and none). Such runs come
# from API pages kept as files, a day's worth of small exports, or re-runs over a
# directory of many small files.
#
#   cargo build --release
#   benches/small_inputs.sh [BINARY] [FILES] [RECORDS_PER_FILE] [ROUNDS] [BINARY2]
#
# Defaults: target/release/normalog, 10000 files of 10 records, 5 rounds. The records are
# `normalog gen -n FILES*RECORDS_PER_FILE --span 180d --start 2024-01-01` (seed 1) of the
# shipped log types, cut into FILES files of RECORDS_PER_FILE lines in a temporary
# directory (TMPDIR; /dev/shm keeps the disk out of it). Each round runs every
# case one after the other (and, given BINARY2, each case with both binaries in turn,
# for a before/after in one run); the table shows median wall and CPU (user + system)
# seconds, with the range over the rounds.
set -euo pipefail

BIN=$(realpath "${1:-target/release/normalog}")
FILES=${2:-10000}
PER_FILE=${3:-10}
ROUNDS=${4:-5}
BIN2=${5:+$(realpath "$5")}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

RECORDS=$((FILES * PER_FILE))
"$BIN" gen -n "$RECORDS" --span 180d --start 2024-01-01 -o "$WORK/one.jsonl"
mkdir "$WORK/many"
split -l "$PER_FILE" -d -a 6 "$WORK/one.jsonl" "$WORK/many/part-"
echo "$RECORDS records: one file of $(stat -c %s "$WORK/one.jsonl") bytes," \
  "and $FILES files of $PER_FILE records; $(nproc) cores; $ROUNDS rounds"

CASES="ndjson parquet-hour parquet-none"
BINS="$BIN${BIN2:+ $BIN2}"
declare -A WALLS CPUS
run=0
for round in $(seq "$ROUNDS"); do
  for case in $CASES; do
    for input in many one; do
      for bin in $BINS; do
        run=$((run + 1))
        out="$WORK/out-$run"
        case $case in
          ndjson) args=(-o "$out") ;;
          parquet-hour) args=(--format parquet --partition hour -o "$out") ;;
          parquet-none) args=(--format parquet --partition none -o "$out") ;;
        esac
        /usr/bin/time -f "%e %U %S" -o "$WORK/time" \
          "$bin" normalize -q "${args[@]}" "$WORK/$input"$([ "$input" = one ] && echo .jsonl)
        read -r wall user sys < "$WORK/time"
        key="$case $input $bin"
        WALLS[$key]+="$wall "
        CPUS[$key]+="$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }') "
        rm -rf "$out"
      done
    done
  done
done

median() { tr ' ' '\n' <<< "$1" | grep . | sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
range() { tr ' ' '\n' <<< "$1" | grep . | sort -n | awk 'NR==1 {lo=$1} {hi=$1} END {print lo "-" hi}'; }

printf '%-13s %-5s %-8s %7s %13s %7s %13s\n' case input binary wall_s "(range)" cpu_s "(range)"
for case in $CASES; do
  for input in many one; do
    for bin in $BINS; do
      key="$case $input $bin"
      name=$([ "$bin" = "$BIN" ] && echo 1 || echo 2)
      printf '%-13s %-5s %-8s %7s %13s %7s %13s\n' "$case" "$input" "$name" \
        "$(median "${WALLS[$key]}")" "($(range "${WALLS[$key]}"))" \
        "$(median "${CPUS[$key]}")" "($(range "${CPUS[$key]}"))"
    done
  done
done
