"""Throughput of a local Spark job (normalog.spark) beside the CLI, same files, same cores.

    python python/bench/spark_throughput.py NORMALOG_BINARY RECORDS [FILES] [CORES]

Writes RECORDS generated mixed records (`normalog gen`, seed 1) as FILES gzip NDJSON files
(default 8) in a temporary directory, then, each three times (the best time counts):

- the CLI: `normalog normalize DIR -j CORES -f parquet --partition none -o OUT`;
- Spark in `local[CORES]`: `normalize_paths` for each of the three log types (one
  `mapInArrow` per log type, as the API works), each written as Parquet, in one job per
  log type; the session is started once, before the timing (JVM start-up is not counted).

Prints records/s for both and their ratio. Needs pyspark and Java (see python/constraints).
"""

import gzip
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LOG_TYPES = ["Zendesk.Audit", "Zoom.Activity", "Zoom.Operation"]


def best(f, runs=3):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    cli, records = sys.argv[1], int(sys.argv[2])
    files = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    cores = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    tmp = Path(tempfile.mkdtemp(prefix="normalog-spark-bench-"))
    try:
        data = subprocess.run([cli, "gen", "-n", str(records), "--seed", "1"], check=True,
                              capture_output=True).stdout
        lines = data.splitlines(keepends=True)
        src = tmp / "in"
        src.mkdir()
        per = -(-len(lines) // files)
        for i in range(files):
            (src / f"part-{i:03}.ndjson.gz").write_bytes(
                gzip.compress(b"".join(lines[i * per:(i + 1) * per]), compresslevel=1))
        paths = sorted(str(p) for p in src.iterdir())

        def run_cli():
            out = tmp / "cli"
            shutil.rmtree(out, ignore_errors=True)
            subprocess.run([cli, "normalize", str(src), "-j", str(cores), "-f", "parquet",
                            "--partition", "none", "-o", str(out), "-q"], check=False)

        from pyspark.sql import SparkSession

        from normalog import spark as ns

        spark = (SparkSession.builder.master(f"local[{cores}]")
                 .config("spark.sql.session.timeZone", "UTC")
                 .config("spark.ui.enabled", "false")
                 .config("spark.ui.showConsoleProgress", "false")
                 .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
                 # The README's session: dates before 1582 written as they are on Spark 3.5.
                 .config("spark.sql.parquet.datetimeRebaseModeInWrite", "CORRECTED")
                 .config("spark.sql.parquet.int96RebaseModeInWrite", "CORRECTED")
                 .getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        df = spark.createDataFrame([(p,) for p in paths], ["path"]).repartition(files)

        def run_spark():
            for lt in LOG_TYPES:
                out = tmp / "spark" / lt
                ns.normalize_paths(df, lt).write.mode("overwrite").parquet(str(out))

        run_spark()  # warm-up: Python workers started, schemas loaded and compiled
        cli_s = best(run_cli)
        spark_s = best(run_spark)
        rows = sum(spark.read.parquet(str(tmp / "spark" / lt)).count() for lt in LOG_TYPES)
        spark.stop()
        print(f"records: {records} ({rows} normalized), {files} gzip files, {cores} cores")
        print(f"CLI Parquet      : {cli_s:.2f} s, {records / cli_s:,.0f} records/s")
        print(f"Spark local[{cores}]  : {spark_s:.2f} s, {records / spark_s:,.0f} records/s "
              f"({100 * cli_s / spark_s:.0f}% of the CLI)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
