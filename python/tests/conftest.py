"""Fixtures of the Python tests: the CLI to compare with, and a generated corpus.

The tests compare the installed ``normalog`` package with the ``normalog`` binary on the same
inputs. The binary is ``$NORMALOG_CLI``, or ``target/debug/normalog`` of this checkout.
"""

import gzip
import json
import os
import subprocess
from pathlib import Path

import pyarrow as pa
import pytest

import normalog

REPO = Path(__file__).resolve().parents[2]

# Columns that differ between two runs by design.
VOLATILE = ("p_row_id", "p_parse_time")


def pytest_sessionstart(session):
    # The tests are of the built wheel installed in the environment, not of the sources.
    source_tree = REPO / "python" / "normalog"
    here = Path(normalog.__file__).resolve().parent
    if here == source_tree:
        raise pytest.UsageError(
            f"normalog is imported from the source tree ({here}); install the wheel and run "
            "pytest from a directory that does not put python/ on sys.path"
        )


@pytest.fixture(scope="session")
def cli() -> str:
    path = os.environ.get("NORMALOG_CLI") or str(REPO / "target" / "debug" / "normalog")
    if not os.access(path, os.X_OK):
        pytest.fail(f"no normalog binary at {path} (build it, or set NORMALOG_CLI)")
    return path


def run_cli(cli, *args, input=None, check_codes=(0, 1)):
    """Run the CLI; return (exit code, stdout bytes, stderr text)."""
    p = subprocess.run([cli, *map(str, args)], input=input, capture_output=True)
    if p.returncode not in check_codes:
        raise AssertionError(f"normalog {' '.join(map(str, args))} exited {p.returncode}: "
                             f"{p.stderr.decode(errors='replace')}")
    return p.returncode, p.stdout, p.stderr.decode()


def gen(cli, *args) -> bytes:
    return run_cli(cli, "gen", *args, check_codes=(0,))[1]


def zstd_frame(data: bytes) -> bytes:
    """A zstd frame made by pyarrow's codec (no zstd module in the standard library)."""
    return pa.compress(data, codec="zstd", asbytes=True)


def make_corpus(cli, root: Path, scale: int = 1) -> Path:
    """Write a directory of gzip / zstd / plain NDJSON, API pages, bad records, an invalid
    UTF-8 line and a truncated gzip file. ``scale`` multiplies the record counts."""
    root.mkdir(parents=True, exist_ok=True)
    n = 1500 * scale
    (root / "a_zendesk.ndjson.gz").write_bytes(
        gzip.compress(gen(cli, "-t", "Zendesk.Audit", "-n", n, "--invalid-rate", "0.03", "--seed", 11)))
    (root / "b_zoom_activity.ndjson.zst").write_bytes(
        zstd_frame(gen(cli, "-t", "Zoom.Activity", "-n", n, "--invalid-rate", "0.03", "--seed", 12)))
    (root / "c_mixed.ndjson").write_bytes(
        gen(cli, "-n", n, "--invalid-rate", "0.03", "--seed", 13))
    mixed = gen(cli, "-n", n // 3, "--invalid-rate", "0.02", "--seed", 14)
    (root / "d_mixed_plain_multi.ndjson.gz").write_bytes(
        gzip.compress(mixed[: len(mixed) // 2]) + gzip.compress(mixed[len(mixed) // 2:]))
    # API pages: records parsed from generated lines (the valid JSON ones), one bad element.
    zd = [json.loads(l) for l in gen(cli, "-t", "Zendesk.Audit", "-n", 200, "--seed", 15).splitlines()]
    zd[7].pop("created_at")
    (root / "e_zendesk_page.json").write_text(
        json.dumps({"audit_logs": zd, "next_page": None, "count": len(zd)}, indent=1))
    zo = [json.loads(l) for l in gen(cli, "-t", "Zoom.Operation", "-n", 150, "--seed", 16).splitlines()]
    zo[3] = {"time": "not a time"}
    (root / "f_zoom_operation_page.json.gz").write_bytes(gzip.compress(
        json.dumps({"from": "2023-01-01", "to": "2023-02-01", "next_page_token": "",
                    "operation_logs": zo}).encode()))
    # A JSON array document, an invalid UTF-8 record, a blank line.
    za = [json.loads(l) for l in gen(cli, "-t", "Zoom.Activity", "-n", 100, "--seed", 17).splitlines()]
    (root / "g_zoom_array.json").write_text(json.dumps(za))
    (root / "h_odd.ndjson").write_bytes(
        gen(cli, "-n", 50, "--seed", 18) + b"\n" + b'{"email":"\xff\xfe@x.com","time":"2023-07-01T14:00:00Z"}\n'
        + gen(cli, "-n", 50, "--seed", 19))
    # A truncated gzip file: its first records are read, then the input fails.
    whole = gzip.compress(gen(cli, "-t", "Zendesk.Audit", "-n", 400, "--seed", 20))
    (root / "i_truncated.ndjson.gz").write_bytes(whole[: len(whole) * 2 // 3])
    return root


@pytest.fixture(scope="session")
def corpus(cli, tmp_path_factory) -> Path:
    return make_corpus(cli, tmp_path_factory.mktemp("corpus"))


def canonical_rows(table: pa.Table) -> list:
    """The rows minus the volatile columns, as sorted canonical JSON texts."""
    keep = [c for c in table.column_names if c not in VOLATILE]
    rows = table.select(keep).to_pylist()
    return sorted(json.dumps(r, sort_keys=True, default=str, ensure_ascii=False) for r in rows)


def read_cli_rejects(path: Path) -> list:
    rows = [json.loads(l) for l in path.read_text().splitlines() if l]
    return rows


def rejects_as_cli(table: pa.Table) -> list:
    """The Python rejects table as the CLI's rejects-file objects (absent keys dropped)."""
    out = []
    for r in table.to_pylist():
        # The rejects file always has log_type (null when several were tried).
        o = {k: v for k, v in r.items() if v is not None or k == "log_type"}
        if not o.get("raw_truncated"):
            o.pop("raw_truncated", None)
        if "candidates" in o:
            o["candidates"] = json.loads(o["candidates"])
        out.append(o)
    return out


def parse_cli_stats(stderr: str) -> dict:
    """The counts of ``normalize --stats``."""
    stats = {"normalized": {}, "rejected_by_reason": {}}
    for line in stderr.splitlines():
        if line.startswith("records: "):
            words = line.split()
            stats["records"] = int(words[1])
            stats["rejected"] = int(words[5])
            stats["blank_lines"] = int(words[7].lstrip("("))
        elif line.startswith("  normalized "):
            lt, n = line[len("  normalized "):].rsplit(": ", 1)
            stats["normalized"][lt] = int(n)
        elif line.startswith("  rejected "):
            reason, n = line[len("  rejected "):].rsplit(": ", 1)
            stats["rejected_by_reason"][reason] = int(n)
        elif line.startswith("bytes: "):
            stats["bytes"] = int(line.split()[1].rstrip(","))
    return stats


def cli_parquet_tables(out: Path) -> dict:
    """The CLI's Parquet output directory as {table dir name: pyarrow.Table}."""
    import pyarrow.parquet as pq

    tables = {}
    # `_normalog/` holds the lake's run manifests; engines skip `_` and `.` names too.
    for d in sorted(p for p in out.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))):
        files = sorted(d.rglob("*.parquet"))
        tables[d.name] = pa.concat_tables(pq.read_table(f) for f in files)
    return tables


def table_dir(log_type: str) -> str:
    """Zendesk.Audit -> zendesk_audit, as the CLI names its tables."""
    out = []
    for i, ch in enumerate(log_type.replace(".", "_")):
        if ch.isupper() and i > 0 and log_type.replace(".", "_")[i - 1] not in "_":
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


@pytest.fixture(scope="session")
def cli_reference(cli, corpus, tmp_path_factory):
    """The CLI's Parquet tables, rejects and stats for the corpus."""
    out = tmp_path_factory.mktemp("cli_out")
    rejects = out / "rejects.ndjson"
    code, _, stderr = run_cli(cli, "normalize", corpus, "-f", "parquet", "-o", out / "lake",
                              "--partition", "none", "--rejects", rejects, "--stats")
    assert code == 1, "the corpus has rejects: exit status 1"
    return {
        "tables": cli_parquet_tables(out / "lake"),
        "rejects": read_cli_rejects(rejects),
        "stats": parse_cli_stats(stderr),
        "stderr": stderr,
    }


# Rows of `all_rejects`: unclassified records (no loaded log type has their fields) of
# about 430 bytes, 64 MB in all.
ALL_REJECTS_ROWS = 150_000


@pytest.fixture(scope="session")
def all_rejects(tmp_path_factory) -> Path:
    """An NDJSON file whose every record is rejected (unclassified)."""
    path = tmp_path_factory.mktemp("all_rejects") / "all_rejects.ndjson"
    pad = "x" * 400
    with open(path, "w") as f:
        for i in range(ALL_REJECTS_ROWS):
            f.write(f'{{"foo":{i},"bar":"{pad}"}}\n')
    return path


def peak_growth(code: str, *args) -> tuple[list, float]:
    """Run ``code`` in a fresh Python with ``args`` as ``sys.argv[1:]``: the words it prints
    last, and how much its peak RSS grew (MiB) while it ran after its imports.

    ``code`` calls ``start()`` once its set-up is done and prints its result; the peak is
    taken when it ends. A process of its own: the peak of this one is that of every test
    before. The peak is the address space's (``VmHWM``), not ``ru_maxrss``, which Linux
    carries over ``exec`` from the parent: a child of a big pytest would start at its peak.
    """
    import sys

    prologue = (
        "import sys\n"
        "def _peak():\n"
        "    with open('/proc/self/status') as f:\n"
        "        return next(int(l.split()[1]) for l in f if l.startswith('VmHWM:')) / 1024\n"
        "_base = [0.0]\n"
        "def start():\n"
        "    _base[0] = _peak()\n"
    )
    epilogue = "\nprint('peak-growth', _peak() - _base[0])\n"
    p = subprocess.run([sys.executable, "-c", prologue + code + epilogue, *map(str, args)],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise AssertionError(f"the probe failed ({p.returncode}): {p.stderr}")
    lines = p.stdout.split("\n")
    growth = float(next(l for l in lines if l.startswith("peak-growth")).split()[1])
    result = [l for l in lines if l and not l.startswith("peak-growth")][-1].split()
    return result, growth
