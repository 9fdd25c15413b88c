"""Throughput of the Python API (into pyarrow tables) vs the CLI's NDJSON, same data, same
threads, in one run.

    python python/bench/throughput.py NORMALOG_BINARY FILE [THREADS]

FILE is e.g. `normalog gen -n 1000000 -o FILE`. Each side runs three times; the best time
counts. The CLI writes NDJSON to /dev/null with -j THREADS; the API normalizes the file
with threads=THREADS (the core's parallel path, as the CLI's).
"""

import subprocess
import sys
import time

import normalog


def best(f, runs=3):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main():
    cli, path = sys.argv[1], sys.argv[2]
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    n = normalog.Normalizer(threads=threads)

    def api():
        r = n.normalize(path)
        return r.stats["records"], sum(t.num_rows for t in r.tables.values())

    def run_cli():
        subprocess.run([cli, "normalize", path, "-j", str(threads), "-o", "/dev/null", "-q"],
                       check=False)
        return None

    cli_s, _ = best(run_cli)
    api_s, (records, rows) = best(api)
    print(f"records: {records}, rows: {rows}, threads: {threads}")
    print(f"CLI NDJSON : {cli_s:.3f} s, {records / cli_s:,.0f} records/s")
    print(f"Python API : {api_s:.3f} s, {records / api_s:,.0f} records/s "
          f"({100 * cli_s / api_s:.0f}% of the CLI)")


if __name__ == "__main__":
    main()
