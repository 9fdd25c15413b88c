# Type stubs of the compiled module normalog._normalog (python/src/*.rs): the signatures
# the Rust code declares with #[pyo3(signature = ...)], checked against the installed wheel
# by mypy's stubtest in CI (.ci/run). The docstrings are the runtime's (help(), IDEs that
# import the module).

import os
from _typeshed import SupportsRead
from collections.abc import Sequence
from pathlib import Path
from typing import Final, Literal, NoReturn, TypeAlias, final

import pyarrow as pa
from typing_extensions import Buffer, CapsuleType, Self

from normalog._stats import Stats

_StrPath: TypeAlias = str | os.PathLike[str]
# What normalize, iter_batches, iter_rejects and rejects read: bytes-like data (bytes,
# bytearray, memoryview, pyarrow.Buffer, ...), a binary file object (read(n) -> bytes), a
# file or directory, or several of them.
_Data: TypeAlias = Buffer | SupportsRead[bytes] | _StrPath | Sequence[_StrPath]

__all__ = ["Normalizer", "NormalizeResult", "BatchStream", "SchemaError", "InputWarning",
           "schema_files", "__version__"]

__version__: Final[str]

def schema_files(paths: Sequence[_StrPath]) -> list[Path]: ...

class SchemaError(ValueError): ...
class InputWarning(UserWarning): ...

@final
class Normalizer:
    def __new__(
        cls,
        schemas: _StrPath | Sequence[_StrPath] | None = None,
        log_types: Sequence[str] | None = None,
        source_id: str | None = None,
        source_label: str | None = None,
        *,
        schema_texts: str | Sequence[str] | None = None,
        builtin: bool = False,
        threads: int | None = None,
        batch_rows: int = 65536,
        envelope: str | None = None,
        max_record_bytes: int | None = None,
        max_document_bytes: int | None = None,
        max_expansion: int | Literal["none"] | None = None,
    ) -> Self: ...
    @property
    def log_types(self) -> list[str]: ...
    @property
    def threads(self) -> int: ...
    def arrow_schema(self, log_type: str) -> pa.Schema: ...
    @staticmethod
    def rejects_schema() -> pa.Schema: ...
    def normalize(self, data: _Data, *, source: str | None = None) -> NormalizeResult: ...
    def iter_batches(
        self,
        data: _Data,
        log_type: str | None = None,
        *,
        source: str | None = None,
        keep_rejects: bool = True,
    ) -> BatchStream: ...
    def iter_rejects(self, data: _Data, *, source: str | None = None) -> BatchStream: ...
    def rejects(self, data: _Data, *, source: str | None = None) -> tuple[pa.Table, Stats]: ...

@final
class NormalizeResult:
    @property
    def tables(self) -> dict[str, pa.Table]: ...
    @property
    def rejects(self) -> pa.Table: ...
    @property
    def stats(self) -> Stats: ...
    def __getitem__(self, log_type: str, /) -> pa.Table: ...
    def __contains__(self, log_type: str, /) -> bool: ...
    # Always a TypeError that says to iterate `tables`. In the stub because stubtest wants
    # every runtime method there; `__iter__: None` (the way to say "not iterable" to a
    # type checker) is refused by stubtest, since at runtime it is a method.
    def __iter__(self) -> NoReturn: ...
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> CapsuleType: ...

@final
class BatchStream:
    @property
    def schema(self) -> pa.Schema: ...
    def __iter__(self) -> Self: ...
    def __next__(self) -> pa.RecordBatch: ...
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> CapsuleType: ...
    def read_all(self) -> pa.Table: ...
    @property
    def rejects(self) -> pa.Table: ...
    @property
    def stats(self) -> Stats: ...
