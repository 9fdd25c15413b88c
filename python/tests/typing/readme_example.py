"""The README's Python and Spark examples as a user would write them, for a type checker:
`.ci/run` runs `mypy --strict` over this file against the installed wheel (its stubs and
py.typed), so an example that stops type-checking, or an API without types, fails CI.
pytest does not collect it (no test_ prefix) and nothing runs it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import StructType

import normalog
from normalog import spark as ns


def rule(event: dict[str, Any]) -> bool:
    return event.get("action") == "destroy" and event.get("source_type") == "rule"


def python_api() -> list[dict[str, Any]]:
    n = normalog.Normalizer()
    types: list[str] = n.log_types
    r: normalog.NormalizeResult = n.normalize("archive/2026-11/")
    audit: pa.Table = r.tables["Zendesk.Audit"]
    operations: pa.Table = r["Zoom.Operation"]
    loaded: bool = "Zoom.Operation" in r
    rejects: pa.Table = r.rejects
    stats: normalog.Stats = r.stats
    records: int = stats["records"] + sum(stats["normalized"].values())
    failed: list[normalog.FailedInput] = stats["failed_inputs"]
    print(types, operations.num_rows, loaded, rejects.column("reason"), records, failed)

    stream = n.iter_batches("big.ndjson.gz", log_type="Zoom.Activity", keep_rejects=False)
    for batch in stream:
        print(batch.num_rows)
    print(stream.stats["rejected_by_reason"])
    for batch in n.iter_rejects("big.ndjson.gz"):
        print(batch.schema.equals(normalog.Normalizer.rejects_schema()))
    bad, counts = n.rejects("big.ndjson.gz")
    print(bad.num_rows, counts["rejected"])

    # Every kind of data: bytes-like, one path, several.
    n.normalize(b'{"email":"a@example.com"}\n', source="<stdin>")
    n.normalize(memoryview(bytearray(b"{}\n")))
    with open("big.ndjson.gz", "rb") as body:
        print(pa.table(n.iter_batches(body, log_type="Zoom.Activity")).num_rows)
    n.normalize(pa.py_buffer(b"{}\n"))
    n.normalize(Path("archive"))
    n.normalize([Path("a.json"), "b.json.gz"])
    table, counts = n.rejects(sorted(Path("archive").glob("*.gz")))
    print(table.num_rows, counts["rejected"], n.arrow_schema("Zendesk.Audit"))

    custom = normalog.Normalizer(schemas=["schemas/", Path("mine.yml")],
                                 log_types=["Custom.Mine"], threads=2, batch_rows=1024)
    one = custom.normalize(b"")
    print(pa.table(one).num_rows, pa.RecordBatchReader.from_stream(custom.iter_batches(b"")))
    try:
        normalog.Normalizer(schemas="bad.yml")
    except normalog.SchemaError as e:
        print(e)

    return [e for e in audit.to_pylist() if rule(e)]


def spark_api(spark: SparkSession, paths: DataFrame) -> StructType:
    files = spark.read.format("binaryFile").load("s3://bucket/zendesk/2026/*/*.json.gz")
    events: DataFrame = ns.normalize_binary(files.repartition(64), "Zendesk.Audit")
    events.write.mode("append").partitionBy("p_log_type").parquet("s3://lake/zendesk_audit")
    ns.rejects_binary(files).write.mode("append").parquet("s3://lake/rejects")
    ns.normalize_paths(paths, "Zoom.Activity", log_types=["Zoom.Activity"],
                       failed_inputs="skip").count()
    ns.rejects_paths(paths, column="path").count()
    return ns.schema("Zendesk.Audit")
