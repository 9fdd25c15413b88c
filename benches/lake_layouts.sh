#!/usr/bin/env bash
# The data-lake layouts on a months-long archive (issue 16): wall and CPU time, files and
# bytes of `normalog normalize --format parquet` with --partition none, day and hour, in one
# run of this script with one binary, then the ratios hour/none (the issue's targets:
# throughput of hour >= 50% of none's, bytes of hour <= 2x none's). With DuckDB's Python
# package installed (pip install duckdb==2.0.0), DuckDB writes the same hour layout
# (COPY ... PARTITION_BY (year, month, day, hour), zstd) from normalog's own unpartitioned
# output, for the side-by-side.
#
#   cargo build --release
#   benches/lake_layouts.sh [BINARY] [RECORDS] [SPAN] [ROUNDS]
#
# Defaults: target/release/normalog, 1000000 records, 180d, 5 rounds. Each round runs the
# three layouts one after the other, so that a noisy minute of a shared machine touches
# every layout alike; the table shows the median wall and CPU time of each layout over the
# rounds (and their range), and the ratios are of the medians.
# The archive is `normalog gen -n RECORDS --span SPAN --start 2024-01-01` (seed 1) of the
# shipped log types, in a temporary directory (about 270 bytes a record).
set -euo pipefail

BIN=$(realpath "${1:-target/release/normalog}")
RECORDS=${2:-1000000}
SPAN=${3:-180d}
ROUNDS=${4:-5}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

"$BIN" gen -n "$RECORDS" --span "$SPAN" --start 2024-01-01 -o "$WORK/archive.jsonl"
BYTES_IN=$(stat -c %s "$WORK/archive.jsonl")
echo "archive: $RECORDS records over $SPAN, $BYTES_IN bytes; $(nproc) cores; $ROUNDS rounds"

# Every run writes into a new directory, and none is removed before the end: on ext4,
# creating files shortly after thousands were deleted makes the kernel skip each recently
# freed inode, which charged the run after a removal about 0.5 s of system time for 13,000
# files.
LAYOUTS="none day hour"
declare -A WALLS CPUS FILES SIZE RSS
run=0
for round in $(seq "$ROUNDS"); do
  for layout in $LAYOUTS; do
    run=$((run + 1))
    lake="$WORK/lake-$run"
    /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" \
      "$BIN" normalize --format parquet --partition "$layout" -o "$lake" "$WORK/archive.jsonl"
    read -r wall user sys rss < "$WORK/time"
    WALLS[$layout]+="$wall "
    CPUS[$layout]+="$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }') "
    RSS[$layout]=$(( rss / 1024 > ${RSS[$layout]:-0} ? rss / 1024 : ${RSS[$layout]:-0} ))
    if [ "$round" = 1 ]; then
      FILES[$layout]=$(find "$lake" -name '*.parquet' | wc -l)
      SIZE[$layout]=$(find "$lake" -name '*.parquet' -printf '%s\n' | awk '{s+=$1} END {print s}')
      if [ "$layout" = none ]; then
        ln -s "$lake" "$WORK/flat"
      fi
    fi
  done
done

# The median of a list of numbers, and "min-max".
median() { tr ' ' '\n' <<< "$1" | grep . | sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
range() { tr ' ' '\n' <<< "$1" | grep . | sort -n | awk 'NR==1 {lo=$1} {hi=$1} END {print lo "-" hi}'; }

printf '%-6s %8s %12s %8s %8s %12s %10s %8s\n' layout wall_s "(range)" cpu_s files bytes rows/file rss_mb
declare -A WALL CPU
for layout in $LAYOUTS; do
  WALL[$layout]=$(median "${WALLS[$layout]}")
  CPU[$layout]=$(median "${CPUS[$layout]}")
  printf '%-6s %8s %12s %8s %8s %12s %10s %8s\n' "$layout" "${WALL[$layout]}" \
    "($(range "${WALLS[$layout]}"))" "${CPU[$layout]}" "${FILES[$layout]}" "${SIZE[$layout]}" \
    "$((RECORDS / FILES[$layout]))" "${RSS[$layout]}"
done
echo "hour/none: throughput $(awk -v a="${WALL[none]}" -v b="${WALL[hour]}" 'BEGIN { printf "%.2f", a / b }')" \
  "(target >= 0.50), CPU $(echo "scale=2; ${CPU[hour]} / ${CPU[none]}" | bc)x," \
  "bytes $(echo "scale=2; ${SIZE[hour]} / ${SIZE[none]}" | bc)x (target <= 2)"

if python3 -c 'import duckdb' 2>/dev/null; then
  python3 - "$WORK" "${WALL[hour]}" "${CPU[hour]}" <<'PY'
import pathlib, sys, time, os, resource
import duckdb
work = pathlib.Path(sys.argv[1])
con = duckdb.connect()
con.execute("SET threads = 2")
best = None
for table in sorted(p.name for p in (work / "flat").iterdir() if not p.name.startswith("_")):
    con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_parquet('{work}/flat/{table}/*.parquet')")
for i in range(2):
    out = work / f"duck-{i}"
    out.mkdir()
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    for table in sorted(p.name for p in (work / "flat").iterdir() if not p.name.startswith("_")):
        con.execute(
            f"COPY (SELECT *, year(p_event_time AT TIME ZONE 'UTC') AS year, "
            f"month(p_event_time AT TIME ZONE 'UTC') AS month, day(p_event_time AT TIME ZONE 'UTC') AS day, "
            f"hour(p_event_time AT TIME ZONE 'UTC') AS hour FROM {table}) TO '{out}/{table}' "
            f"(FORMAT parquet, COMPRESSION zstd, PARTITION_BY (year, month, day, hour))"
        )
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    files = list(out.rglob("*.parquet"))
    size = sum(f.stat().st_size for f in files)
    if best is None or wall < best[0]:
        best = (wall, cpu, len(files), size)
wall, cpu, files, size = best
print(f"duckdb hour (from tables in memory, COPY only): wall {wall:.2f} s, CPU {cpu:.2f} s, {files} files, {size} bytes")
ours_wall, ours_cpu = float(sys.argv[2]), float(sys.argv[3])
print(f"normalog hour vs duckdb hour: throughput {wall / ours_wall:.2f}x (target >= 4), "
      f"CPU {cpu / ours_cpu:.2f}x less")
PY
fi
