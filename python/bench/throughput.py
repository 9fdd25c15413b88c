"""Throughput of the Python API (into pyarrow tables) vs the CLI's NDJSON, same data, same
threads, in one run.

    python python/bench/throughput.py NORMALOG_BINARY FILE [THREADS]

FILE is e.g. `normalog gen -n 1000000 -o FILE`. The two sides run in turn, seven rounds
(the machine's load changes: each round's ratio is of two runs a moment apart); medians.
The CLI writes NDJSON to /dev/null with -j THREADS; the API normalizes the file with
threads=THREADS (the core's parallel path, as the CLI's: a reader thread, THREADS
normalizer threads, and the calling thread collecting in input order).
"""

import statistics
import subprocess
import sys
import time

import normalog

ROUNDS = 7


def timed(f):
    t0 = time.perf_counter()
    out = f()
    return time.perf_counter() - t0, out


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

    api()  # warm-up: schemas compiled, pages faulted in
    cli_times, api_times, ratios = [], [], []
    for _ in range(ROUNDS):  # interleaved, so both sides see the same machine
        cli_s, _ = timed(run_cli)
        api_s, (records, rows) = timed(api)
        cli_times.append(cli_s)
        api_times.append(api_s)
        ratios.append(cli_s / api_s)
    cli_s, api_s = statistics.median(cli_times), statistics.median(api_times)
    print(f"records: {records}, rows: {rows}, threads: {threads}, rounds: {ROUNDS}, medians")
    print(f"CLI NDJSON : {cli_s:.3f} s, {records / cli_s:,.0f} records/s")
    print(f"Python API : {api_s:.3f} s, {records / api_s:,.0f} records/s")
    print(f"API / CLI throughput: median of the rounds' ratios {100 * statistics.median(ratios):.0f}% "
          f"(rounds: {', '.join(f'{100 * r:.0f}%' for r in ratios)})")

if __name__ == "__main__":
    main()
