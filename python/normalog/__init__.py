"""normalog: schema-driven normalization of JSON logs into typed, indicator-enriched events.

The same Rust core as the ``normalog`` command line: the same schemas, classification,
framing (NDJSON, JSON arrays, API pages, gzip, zstd), rejects and counts, and the same Arrow
batches as its Parquet output. Results are pyarrow tables; nothing is converted per record.

>>> import normalog
>>> n = normalog.Normalizer()
>>> r = n.normalize(b'{"email":"a@example.com","time":"2023-07-01T14:00:00Z"}\\n')
>>> r.tables["Zoom.Activity"].num_rows
1

``normalog.spark`` runs the same normalizer on Spark executors (``mapInArrow``).
"""

from ._normalog import (
    BatchStream,
    InputWarning,
    Normalizer,
    NormalizeResult,
    SchemaError,
    __version__,
)
from ._stats import FailedInput, Stats

__all__ = [
    "BatchStream",
    "FailedInput",
    "InputWarning",
    "Normalizer",
    "NormalizeResult",
    "SchemaError",
    "Stats",
    "__version__",
]
