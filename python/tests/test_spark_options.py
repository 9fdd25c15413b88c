"""normalog.spark's options beside the schemas: the Normalizer's limits, schema YAML text,
and the paths it refuses to read itself."""

import inspect
import subprocess
import sys

import pyarrow as pa
import pytest

import normalog
from conftest import gen
from test_spark import spark  # noqa: F401 (the session fixture)

from normalog import spark as ns  # noqa: E402

LIMITS = ("envelope", "max_record_bytes", "max_document_bytes", "max_expansion")
FUNCTIONS = (ns.normalize_paths, ns.normalize_binary, ns.rejects_paths, ns.rejects_binary)


def test_limits_are_the_normalizers():
    """Review finding: the Spark functions took none of the Normalizer's limits; a JSON
    export over 64 MiB could not be read whole on Spark. They take them, with the
    Normalizer's names and defaults, and schema_texts= too."""
    want = inspect.signature(normalog.Normalizer).parameters
    for f in FUNCTIONS:
        params = inspect.signature(f).parameters
        for name in (*LIMITS, "schema_texts"):
            assert params[name].kind is inspect.Parameter.KEYWORD_ONLY, (f.__name__, name)
            assert params[name].default == want[name].default, (f.__name__, name)


def test_limits_are_checked_on_the_driver(spark):  # noqa: F811
    df = spark.createDataFrame([("a.json",)], "path string")
    for f in (ns.normalize_paths, ns.rejects_paths):
        args = (df, "Zoom.Activity") if f is ns.normalize_paths else (df,)
        with pytest.raises(ValueError, match="max_document_bytes must be at least 1, not 0"):
            f(*args, max_document_bytes=0)
        with pytest.raises(ValueError, match='max_expansion must be a ratio .* not "lots"'):
            f(*args, max_expansion="lots")
        with pytest.raises(ValueError, match="envelope must name a field"):
            f(*args, envelope="")


def test_log_types_are_checked_on_the_driver_as_given(spark):  # noqa: F811
    """Review finding: the driver's check read log_types="Zoom.Activity" letter by letter
    (unknown log type "Z") and took log_types=[] as all log types; both are the
    Normalizer's errors, as given."""
    df = spark.createDataFrame([("a.json",)], "path string")
    with pytest.raises(TypeError, match="log_types must be a list of log type names, not a str"):
        ns.normalize_paths(df, "Zoom.Activity", log_types="Zoom.Activity")
    with pytest.raises(ValueError, match="log_types must be None"):
        ns.normalize_paths(df, "Zoom.Activity", log_types=[])


def test_a_document_over_the_limit_on_spark(spark, cli, tmp_path):  # noqa: F811
    """The limit reaches the executors' normalizer: a JSON array over max_document_bytes
    is read line by line (its lines rejects) and rejects_* has a row that says why and
    which argument reads it whole; raised, the document is read whole."""
    records = gen(cli, "-t", "Zoom.Activity", "-n", 3, "--seed", 62).splitlines()
    (tmp_path / "export.json").write_bytes(b"[\n" + b",\n".join(records) + b"\n]\n")
    files = spark.read.format("binaryFile").load(str(tmp_path))
    assert ns.normalize_binary(files, "Zoom.Activity", max_document_bytes=64).count() == 1
    rows = ns.rejects_binary(files, max_document_bytes=64).collect()
    notes = [r for r in rows if r["reason"] == ns.DOCUMENT_OVER_LIMIT]
    assert len(rows) == 5 and len(notes) == 1, rows
    assert notes[0]["source"].endswith("export.json") and notes[0]["record"] == 0
    assert notes[0]["error"].startswith("a JSON document over max_document_bytes (64): it is "
                                        "read line by line")
    assert "max_document_bytes=" in notes[0]["error"]
    paths = spark.createDataFrame([(str(tmp_path / "export.json"),)], "path string")
    assert ns.rejects_paths(paths, max_document_bytes=64).count() == 5
    # The default (64 MiB) reads it whole: no rejects, no note.
    assert ns.normalize_binary(files, "Zoom.Activity").count() == 3
    assert ns.rejects_binary(files).count() == 0
    # The other limits reach the executors too.
    assert ns.normalize_paths(paths, "Zoom.Activity", max_record_bytes=8).count() == 0
    too_long = ns.rejects_paths(paths, max_record_bytes=8).collect()
    assert {r["reason"] for r in too_long} == {"too_long"}
    page = tmp_path / "page"
    page.mkdir()
    (page / "p.json").write_bytes(b'{"items": [' + b",".join(records) + b'], "n": 3}')
    pages = spark.read.format("binaryFile").load(str(page))
    assert ns.normalize_binary(pages, "Zoom.Activity", envelope="items").count() == 3
    assert ns.normalize_binary(pages, "Zoom.Activity", envelope="other").count() == 0


def test_schema_texts_on_spark(spark, tmp_path):  # noqa: F811
    """Review finding: a schema had to be a file at the same path on every executor; its
    YAML text now goes to them with the task."""
    edit = "schema: Custom.Edit\nfields:\n  - {name: user, type: string, required: true}\n"
    (tmp_path / "a.ndjson").write_bytes(b'{"user":"ann"}\n{"user":"bob"}\n{"nope":1}\n')
    files = spark.read.format("binaryFile").load(str(tmp_path))
    events = ns.normalize_binary(files, "Custom.Edit", schema_texts=edit)
    assert sorted(r["user"] for r in events.collect()) == ["ann", "bob"]
    assert ns.rejects_binary(files, schema_texts=[edit]).count() == 1
    with pytest.raises(TypeError, match="pass the text as schema_texts="):
        ns.normalize_binary(files, "Custom.Edit", schemas=edit)


def test_azure_paths_are_refused_with_the_way_to_read_them():
    """Review finding: an abfss:// path aborted the Python worker (pyarrow's Azure
    filesystem throws an uncaught C++ exception when it finds no credential), whatever
    failed_inputs said, naming no file. They are refused with the way that works. In a
    process of its own: before the fix, this aborted it."""
    code = ("from normalog import spark as ns\n"
            "for p in ('abfss://logs@acct.dfs.core.windows.net/a.json', 'ABFS://c@a/b.json', "
            "'wasbs://c@a.blob.core.windows.net/x'):\n"
            "    try:\n"
            "        ns._open(p)\n"
            "    except ValueError as e:\n"
            "        print(e)\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert len(lines) == 3, p.stdout
    for line, scheme in zip(lines, ("abfss", "abfs", "wasbs")):
        assert f'normalog.spark does not read "{scheme}" paths itself' in line
        assert 'spark.read.format("binaryFile")' in line and "normalize_binary" in line
