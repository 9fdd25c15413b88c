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
#   benches/lake_layouts.sh [BINARY] [RECORDS] [SPAN] [REPEAT]
#
# Defaults: target/release/normalog, 1000000 records, 180d, best of 3 runs per layout.
# The archive is `normalog gen -n RECORDS --span SPAN --start 2024-01-01` (seed 1) of the
# shipped log types, in a temporary directory (about 270 bytes a record).
set -euo pipefail

BIN=$(realpath "${1:-target/release/normalog}")
RECORDS=${2:-1000000}
SPAN=${3:-180d}
REPEAT=${4:-3}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

"$BIN" gen -n "$RECORDS" --span "$SPAN" --start 2024-01-01 -o "$WORK/archive.jsonl"
BYTES_IN=$(stat -c %s "$WORK/archive.jsonl")
echo "archive: $RECORDS records over $SPAN, $BYTES_IN bytes; $(nproc) cores; best of $REPEAT"
printf '%-6s %8s %8s %8s %12s %10s %8s\n' layout wall_s cpu_s files bytes rows/file rss_mb

# Every run writes into a new directory, and none is removed before the end: on ext4
# without a journal, creating files shortly (30 s) after thousands were deleted makes the
# kernel skip each recently freed inode, which charged the run after a removal about
# 0.5 s of system time for 13,000 files.
declare -A WALL CPU FILES SIZE RSS
run=0
for layout in none day hour; do
  best=""
  for _ in $(seq "$REPEAT"); do
    run=$((run + 1))
    lake="$WORK/lake-$run"
    /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" \
      "$BIN" normalize --format parquet --partition "$layout" -o "$lake" "$WORK/archive.jsonl"
    read -r wall user sys rss < "$WORK/time"
    cpu=$(echo "$user + $sys" | bc)
    if [ -z "$best" ] || [ "$(echo "$wall < $best" | bc)" = 1 ]; then
      best=$wall; WALL[$layout]=$wall; CPU[$layout]=$cpu; RSS[$layout]=$((rss / 1024))
    fi
  done
  FILES[$layout]=$(find "$lake" -name '*.parquet' | wc -l)
  SIZE[$layout]=$(find "$lake" -name '*.parquet' -printf '%s\n' | awk '{s+=$1} END {print s}')
  printf '%-6s %8s %8s %8s %12s %10s %8s\n' "$layout" "${WALL[$layout]}" "${CPU[$layout]}" \
    "${FILES[$layout]}" "${SIZE[$layout]}" "$((RECORDS / FILES[$layout]))" "${RSS[$layout]}"
  if [ "$layout" = none ]; then
    ln -s "$lake" "$WORK/flat"
  fi
done
echo "hour/none: throughput $(echo "scale=2; ${WALL[none]} / ${WALL[hour]}" | bc)" \
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
