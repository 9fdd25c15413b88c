#!/usr/bin/env bash
# A lake written as a scheduled pull writes it, then `normalog compact`: files, bytes, the
# compaction's time, and DuckDB's time to query the lake before and after.
#
#   cargo build --release
#   benches/compact_lake.sh [BINARY] [DAYS] [RUNS_PER_HOUR] [RECORDS_PER_DAY]
#
# Defaults: target/release/normalog, 30 days, 4 runs an hour (cron every 15 minutes),
# 5,556 records a day (the rate of benches/lake_layouts.sh's archive: 1,000,000 over 180
# days). The archive is `normalog gen --span DAYSd --start 2024-01-01` (seed 1, in time
# order), cut into DAYS * 24 * RUNS_PER_HOUR consecutive pieces, each normalized into the
# lake by a run of its own from standard input (`--partition hour`): as each pull run adds
# files of its own for the records it fetched. (Runs from standard input and pull runs
# are merged alike; the pull's own run is timed in tests/pull_zendesk.)
# DuckDB (pip install duckdb==2.0.0, if installed) runs the same query on each table
# before and after, three times each (the median is shown): count, min and max of
# p_event_time, and the 10 most frequent values of one string column. Last, the whole
# archive normalized in one run, for comparison.
set -euo pipefail

BIN=$(realpath "${1:-target/release/normalog}")
DAYS=${2:-30}
PER_HOUR=${3:-4}
PER_DAY=${4:-5556}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

RECORDS=$((DAYS * PER_DAY))
RUNS=$((DAYS * 24 * PER_HOUR))
"$BIN" gen -n "$RECORDS" --span "${DAYS}d" --start 2024-01-01 -o "$WORK/archive.jsonl"
echo "archive: $RECORDS records over $DAYS days, cut into $RUNS runs ($PER_HOUR an hour); $(nproc) cores"

mkdir "$WORK/pieces"
split -n "l/$RUNS" -a 6 "$WORK/archive.jsonl" "$WORK/pieces/p"
start=$(date +%s.%N)
for piece in "$WORK"/pieces/p*; do
  "$BIN" normalize --format parquet -q -o "$WORK/lake" - < "$piece" || [ $? -eq 1 ]
done
loaded=$(echo "$(date +%s.%N) - $start" | bc)

count() { find "$WORK/lake" -name '*.parquet' -not -name '.*' | wc -l; }
bytes() { find "$WORK/lake" -name '*.parquet' -not -name '.*' -printf '%s\n' | awk '{s+=$1} END {print s}'; }

query() {
  python3 - "$WORK/lake" <<'PY'
import statistics, sys, time
import duckdb
lake = sys.argv[1]
con = duckdb.connect()
con.execute("SET threads = 2")
columns = {"zendesk_audit": "action", "zoom_activity": "type", "zoom_operation": "action"}
times = []
for _ in range(3):
    t0 = time.perf_counter()
    for table, col in columns.items():
        glob = f"read_parquet('{lake}/{table}/**/*.parquet', hive_partitioning = true)"
        # Times as microseconds: Python needs pytz for values with a time zone.
        con.execute(f"SELECT count(*), epoch_us(min(p_event_time)), epoch_us(max(p_event_time)) FROM {glob}").fetchall()
        con.execute(f"SELECT {col}, count(*) AS n FROM {glob} GROUP BY 1 ORDER BY n DESC LIMIT 10").fetchall()
    times.append(time.perf_counter() - t0)
print(f"{statistics.median(times):.2f} s (of {', '.join(f'{t:.2f}' for t in times)})")
PY
}

files_before=$(count)
bytes_before=$(bytes)
echo "loaded in $loaded s: $files_before files, $bytes_before bytes"
if python3 -c 'import duckdb' 2>/dev/null; then
  echo "duckdb queries before: $(query)"
fi
/usr/bin/time -f "compact: %e s wall, %U s user, %S s sys, %M KB peak RSS" \
  "$BIN" compact "$WORK/lake"
files_after=$(count)
bytes_after=$(bytes)
echo "after: $files_after files, $bytes_after bytes" \
  "($(echo "scale=2; $files_before / $files_after" | bc)x fewer files," \
  "$(echo "scale=2; $bytes_before / $bytes_after" | bc)x fewer bytes)"
if python3 -c 'import duckdb' 2>/dev/null; then
  echo "duckdb queries after: $(query)"
fi
"$BIN" normalize --format parquet -q -o "$WORK/one" "$WORK/archive.jsonl"
echo "the archive in one run, for comparison: $(find "$WORK/one" -name '*.parquet' | wc -l) files," \
  "$(find "$WORK/one" -name '*.parquet' -printf '%s\n' | awk '{s+=$1} END {print s}') bytes"
