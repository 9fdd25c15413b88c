"""How ``normalog.spark``'s ``normalize_paths`` and ``rejects_paths`` read a path of the
DataFrame: a local path or ``file:`` URI by the normalizer, another URI through
``pyarrow.fs`` (with the executor's credentials)."""

from __future__ import annotations

import os
from urllib.parse import quote, unquote

import pyarrow as pa

__all__: list[str] = []


# Azure's schemes. pyarrow's AzureFileSystem aborts the process (an uncaught C++
# AuthenticationException, SIGABRT) when it finds no credential, which is common where the
# storage key or OAuth settings live in Spark's conf (Databricks, Synapse): the Python worker
# died without naming the file, whatever failed_inputs said. Spark reads them with its own
# credentials.
_AZURE = ("abfs", "abfss", "wasb", "wasbs")

# Hadoop's names of S3 (Spark on EMR, Databricks, open source), which pyarrow calls s3.
_SCHEME_ALIASES = {"s3a": "s3", "s3n": "s3"}


def _split_scheme(path: str) -> tuple[str | None, str]:
    """(scheme, rest) as Hadoop's ``Path`` splits them: a scheme is what comes before a
    colon that no slash precedes; (None, path) for a plain path."""
    colon = path.find(":")
    slash = path.find("/")
    if colon <= 0 or 0 <= slash < colon:
        return None, path
    return path[:colon], path[colon + 1:]


def _local_path(path: str) -> str | None:
    """The local path of a plain path or a ``file:`` URI; ``None`` for other URIs.

    Spark and Hadoop write paths as they are, not percent-encoded (``file:/logs/a b
    #1.json``), so nothing is decoded: a ``%20`` in a file name stays one. A name with a
    colon (``logs:2024.json``) is a local file when one of that name exists here, and a
    Windows drive letter is no scheme. A percent-encoded ``file:`` URI (``pathlib``'s
    ``as_uri()``) is decoded only when the path as written does not exist and the decoded
    one does."""
    scheme, rest = _split_scheme(path)
    if scheme is None or len(scheme) == 1 or os.path.exists(path):
        return path
    if scheme.lower() != "file":
        return None
    if rest.startswith("//"):
        # file:///x, file://host/x: the path starts at the slash after the authority.
        start = rest.find("/", 2)
        rest = rest[start:] if start != -1 else "/"
    if not os.path.exists(rest) and "%" in rest and os.path.exists(unquote(rest)):
        return unquote(rest)
    return rest


# The bytes a remote file is read by, each read one request to the store (S3's GET).
_READ_BUFFER = 8 << 20


def _open(path: str) -> pa.NativeFile:
    """A remote file opened through pyarrow's filesystems, to be read as it is normalized
    (a task holds a few chunks of it, not the whole file), compressed bytes as stored: the
    normalizer detects gzip and zstd itself."""
    from pyarrow import fs

    scheme, rest = _split_scheme(path)
    scheme = (scheme or "").lower()
    scheme = _SCHEME_ALIASES.get(scheme, scheme)
    if scheme in _AZURE:
        raise ValueError(
            f'{path}: normalog.spark does not read "{scheme}" paths itself (pyarrow.fs aborts '
            "the worker when it finds no Azure credential, and does not read Spark's): read "
            'the files with spark.read.format("binaryFile").load(...) and use '
            "normalize_binary / rejects_binary, which take Spark's own credentials")
    # pyarrow decodes a URI's %-escapes, and Spark's paths are not encoded: encode them, so
    # that a space, '#' or '%' in a key is that character.
    uri = f"{scheme}:{quote(rest, safe='/:@')}"
    try:
        filesystem, inner = fs.FileSystem.from_uri(uri)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as e:
        raise ValueError(
            f'{path}: no local file of that name, and pyarrow.fs cannot open the scheme '
            f'"{scheme}" ({e}); pyarrow.fs opens s3 (also as s3a, s3n), gs, hdfs and file; '
            'other stores: spark.read.format("binaryFile") and normalize_binary') from None
    # Buffered: the normalizer reads 64 KiB at a time, and an unbuffered S3 stream makes
    # each read a ranged GET of its own (review s38-h2: 76 requests for a 4.9 MB file).
    return filesystem.open_input_stream(inner, compression=None, buffer_size=_READ_BUFFER)
