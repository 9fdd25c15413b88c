#!/usr/bin/env python3
"""Real-consumer check of normalog's Parquet output: DuckDB reads what normalog wrote.

Usage: python3 tests/duckdb_check.py [path/to/normalog]   (default: target/debug/normalog)
Needs: python3 -m pip install duckdb==2.0.0 (the version it was written against)

It writes the shipped sample data (and the rich nested fixture) as Parquet with the CLI,
then checks with DuckDB: row counts per table, column types (TIMESTAMP WITH TIME ZONE,
VARCHAR[], nested STRUCT and lists), hive partition columns, and min/max(p_event_time)
against the values in normalog's NDJSON output of the same input.
"""

import datetime as dt
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "target" / "debug" / "normalog"
SAMPLES = ROOT / "tests" / "data" / "samples" / "mixed.jsonl"
RICH_SCHEMA = ROOT / "tests" / "data" / "schemas" / "rich.yml"
RICH_DATA = ROOT / "tests" / "data" / "parquet" / "rich.jsonl"

passed = 0
failed = 0


def check(what, got, want):
    global passed, failed
    if got == want:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {what}: got {got!r}, want {want!r}")


def normalog(*args):
    return subprocess.run([str(BIN), *map(str, args)], check=True, capture_output=True).stdout


def ndjson_times(*args):
    """p_event_time of each NDJSON event, per log type, as UTC datetimes (microseconds)."""
    out = {}
    for line in normalog("normalize", *args).decode().splitlines():
        ev = json.loads(line)
        t = ev["p_event_time"].replace("Z", "+00:00")
        # Python keeps microseconds: cut longer fractions (Parquet truncates them too).
        if "." in t:
            head, frac = t.split(".")
            t = head + "." + frac[: frac.index("+")][:6].ljust(6, "0") + "+00:00"
        out.setdefault(ev["p_log_type"], []).append(dt.datetime.fromisoformat(t))
    return out


def us(t):
    """Microseconds since the epoch (DuckDB's epoch_us), without pytz."""
    return (t - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)) // dt.timedelta(microseconds=1)


def column_types(con, glob):
    rows = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{glob}', hive_partitioning = true)").fetchall()
    return {r[0]: r[1] for r in rows}


with tempfile.TemporaryDirectory() as tmp:
    lake = Path(tmp) / "lake"
    normalog("normalize", SAMPLES, "--format", "parquet", "-o", lake)
    times = ndjson_times(SAMPLES)
    con = duckdb.connect()

    tables = {"zendesk_audit": "Zendesk.Audit", "zoom_activity": "Zoom.Activity", "zoom_operation": "Zoom.Operation"}
    # `_normalog` holds the run's manifest and its list of inputs (engines skip `_`
    # directories), and nothing else once the run is over (no lock, no journal).
    check("tables", sorted(p.name for p in lake.iterdir() if not p.name.startswith("_")), sorted(tables))
    check("run manifest", sorted(p.parent.name for p in (lake / "_normalog").rglob("*") if p.is_file()), ["inputs", "runs"])
    for table, log_type in tables.items():
        glob = f"{lake}/{table}/**/*.parquet"
        n, lo, hi = con.execute(
            f"SELECT count(*), epoch_us(min(p_event_time)), epoch_us(max(p_event_time)) FROM read_parquet('{glob}')"
        ).fetchone()
        check(f"{table} rows", n, len(times[log_type]))
        check(f"{table} min(p_event_time)", lo, us(min(times[log_type])))
        check(f"{table} max(p_event_time)", hi, us(max(times[log_type])))
        types = column_types(con, glob)
        check(f"{table} p_event_time type", types["p_event_time"], "TIMESTAMP WITH TIME ZONE")
        check(f"{table} p_parse_time type", types["p_parse_time"], "TIMESTAMP WITH TIME ZONE")
        check(f"{table} p_log_type type", types["p_log_type"], "VARCHAR")
        check(f"{table} p_schema_version type", types["p_schema_version"], "BIGINT")
        any_cols = [k for k in types if k.startswith("p_any_")]
        check(f"{table} has p_any_ columns", bool(any_cols), True)
        for k in any_cols:
            check(f"{table} {k} type", types[k], "VARCHAR[]")
        for k in ("year", "month", "day", "hour"):
            check(f"{table} hive column {k}", types.get(k), "BIGINT")
        check(f"{table} p_log_type values",
              con.execute(f"SELECT DISTINCT p_log_type FROM read_parquet('{glob}')").fetchall(), [(log_type,)])

    # Exact figures of the shipped sample, independent of the NDJSON reading above.
    n, lo, hi = con.execute(
        f"SELECT count(*), epoch_us(min(p_event_time)), epoch_us(max(p_event_time)) "
        f"FROM read_parquet('{lake}/*/**/*.parquet', union_by_name = true)"
    ).fetchone()
    utc = dt.timezone.utc
    check("all rows", n, 12)
    check("all min", lo, us(dt.datetime(2024, 2, 12, 7, 58, 12, tzinfo=utc)))
    check("all max", hi, us(dt.datetime(2024, 2, 12, 17, 0, 3, 250000, tzinfo=utc)))
    check("zoom_activity emails type", column_types(con, f"{lake}/zoom_activity/**/*.parquet")["p_any_emails"], "VARCHAR[]")
    check("indicator list query",
          con.execute(f"SELECT count(*) FROM read_parquet('{lake}/zoom_activity/**/*.parquet') "
                  "WHERE list_contains(p_any_emails, 'jonas.berg@example.com')").fetchone()[0], 2)
    check("partition pruning column",
          con.execute(f"SELECT count(*) FROM read_parquet('{lake}/zendesk_audit/**/*.parquet', hive_partitioning = true) "
                  "WHERE hour = 9").fetchone()[0],
          sum(1 for t in times["Zendesk.Audit"] if t.hour == 9))

    # A lake of months (issue 16): every partition column is one integer type, in every
    # table, and matches the UTC event time of its rows.
    archive = Path(tmp) / "months.jsonl"
    normalog("gen", "-n", "3000", "--span", "120d", "--start", "2024-08-15", "-o", archive)
    months = Path(tmp) / "months"
    normalog("normalize", archive, "--format", "parquet", "-o", months)
    for table in tables:
        types = column_types(con, f"{months}/{table}/**/*.parquet")
        check(f"months {table} hive types", [types.get(k) for k in ("year", "month", "day", "hour")], ["BIGINT"] * 4)
    src = f"read_parquet('{months}/*/**/*.parquet', hive_partitioning = true, union_by_name = true)"
    n, wrong, distinct_months = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE year <> year(p_event_time AT TIME ZONE 'UTC') "
        f"OR month <> month(p_event_time AT TIME ZONE 'UTC') OR day <> day(p_event_time AT TIME ZONE 'UTC') "
        f"OR hour <> hour(p_event_time AT TIME ZONE 'UTC')), count(DISTINCT (year, month)) FROM {src}"
    ).fetchone()
    check("months rows", n, 3000)
    check("months partition values match p_event_time", wrong, 0)
    check("months spans 5 months", distinct_months, 5)
    check("months pruning by integer",
          con.execute(f"SELECT count(*) FROM {src} WHERE month = 10").fetchone()[0],
          con.execute(f"SELECT count(*) FROM {src} WHERE month(p_event_time AT TIME ZONE 'UTC') = 10").fetchone()[0])

    # Nested types of a custom schema.
    rich = Path(tmp) / "rich"
    normalog("normalize", "-s", RICH_SCHEMA, RICH_DATA, "--format", "parquet", "--partition", "none", "-o", rich)
    glob = f"{rich}/custom_rich/*.parquet"
    types = column_types(con, glob)
    check("rich actor", types["actor"], "STRUCT(email VARCHAR, \"name\" VARCHAR)")
    check("rich items", types["items"], "STRUCT(n INTEGER)[]")
    check("rich tags", types["tags"], "VARCHAR[]")
    check("rich small", types["small"], "SMALLINT")
    check("rich count", types["count"], "INTEGER")
    check("rich ratio", types["ratio"], "DOUBLE")
    check("rich ok", types["ok"], "BOOLEAN")
    check("rich ts_ns", types["ts_ns"], "TIMESTAMP WITH TIME ZONE")
    check("rich rows", con.execute(f"SELECT count(*) FROM read_parquet('{glob}')").fetchone()[0], 5)
    check("rich nested values",
          con.execute(f"SELECT actor.email, items[1].n, geo IS NULL FROM read_parquet('{glob}') ORDER BY id").fetchall(),
          [("Ann@Example.com", 1, False), ("c@example.com", None, True), ("d@example.com", None, False),
           ("e@example.com", 5, True), ("f@example.com", None, True)])
    check("rich truncated nanoseconds",
          con.execute(f"SELECT epoch_us(ts_rfc) FROM read_parquet('{glob}') WHERE id = 9223372036854775807").fetchone()[0],
          -1)

    # Compaction: two runs from standard input into one hour lake (two files in each of
    # their partitions), merged in place; DuckDB reads the same rows, one file a partition.
    merged = Path(tmp) / "merged"
    for _ in range(2):
        subprocess.run([str(BIN), "normalize", "--format", "parquet", "-o", str(merged), "-"],
                       stdin=open(SAMPLES, "rb"), check=True, capture_output=True)
    src = f"read_parquet('{merged}/*/**/*.parquet', hive_partitioning = true, union_by_name = true)"
    # As text: timestamps with a time zone would need pytz in Python.
    query = f"SELECT COLUMNS(*)::VARCHAR FROM {src} ORDER BY ALL"
    before = con.execute(query).fetchall()
    normalog("compact", merged)
    check("compacted rows", con.execute(query).fetchall(), before)
    dirs = {}
    for f in merged.rglob("*.parquet"):
        dirs[f.parent] = dirs.get(f.parent, 0) + 1
    check("compacted one file a partition", set(dirs.values()), {1})
    for table in ("zendesk_audit", "zoom_activity", "zoom_operation"):
        types = column_types(con, f"{merged}/{table}/**/*.parquet")
        check(f"compacted {table} hive types", [types.get(k) for k in ("year", "month", "day", "hour")], ["BIGINT"] * 4)
    # Nested columns survive the merge.
    rich2 = Path(tmp) / "rich2"
    for _ in range(2):
        subprocess.run([str(BIN), "normalize", "-s", str(RICH_SCHEMA), "--format", "parquet", "--partition", "none",
                        "-o", str(rich2), "-"], stdin=open(RICH_DATA, "rb"), check=True, capture_output=True)
    normalog("compact", rich2)
    glob = f"{rich2}/custom_rich/*.parquet"
    check("compacted rich files", len(list((rich2 / "custom_rich").glob("*.parquet"))), 1)
    check("compacted rich nested values",
          con.execute(f"SELECT actor.email, items[1].n, geo IS NULL FROM read_parquet('{glob}') ORDER BY id, actor.email").fetchall(),
          [row for row in [("Ann@Example.com", 1, False), ("c@example.com", None, True), ("d@example.com", None, False),
                           ("e@example.com", 5, True), ("f@example.com", None, True)] for _ in range(2)])

    # Arrays keep null elements and empty inner arrays in place, in the small-file writer
    # (a few rows) and the Arrow writer (1,200 rows in one file) alike.
    schema = Path(tmp) / "arrays.yml"
    schema.write_text("""schema: Custom.Arrays
fields:
  - {name: i, type: bigint, required: true}
  - {name: a, type: array, element: {type: int}}
  - {name: s, type: array, element: {type: string}}
  - {name: n, type: array, element: {type: array, element: {type: string}}}
  - {name: o, type: array, element: {type: object, fields: [{name: x, type: int}]}}
  - {name: t, type: array, element: {type: timestamp, timeFormat: rfc3339}}
""")
    record = ('"a":[1,null,"3",""],"s":["x",null,""],"n":[["a",null],[],["b"]],'
              '"o":[{"x":1},null,{}],"t":["2024-01-01T00:00:00Z",""]')
    want = ([1, None, 3, None], ["x", None, ""], [["a", None], [], ["b"]], [{"x": 1}, None, {"x": None}], 2, None)
    for rows in (3, 1200):
        data = Path(tmp) / f"arrays{rows}.jsonl"
        data.write_text("".join(f'{{"i":{i},{record}}}\n' for i in range(rows)))
        out = Path(tmp) / f"arrays{rows}"
        normalog("normalize", "-s", schema, data, "--format", "parquet", "--partition", "none", "-o", out)
        got = con.execute(f"SELECT a, s, n, o, len(t), t[2] FROM read_parquet('{out}/custom_arrays/*.parquet') "
                          "ORDER BY i").fetchall()
        check(f"null elements and empty inner arrays in place ({rows} rows)", [r for r in got if r != want], [])
        check(f"rows with them ({rows} rows)", len(got), rows)

print(f"duckdb version {duckdb.__version__}")
print(f"duckdb: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
