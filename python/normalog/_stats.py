"""The shape of the counts every run returns (``result.stats``, ``stream.stats``), as
``TypedDict``s: plain ``dict``s at run time, typed keys for a type checker or an IDE."""

from __future__ import annotations

from typing import TypedDict

__all__ = ["FailedInput", "Stats"]


class FailedInput(TypedDict):
    """An input that could not be opened or read to its end; the others were normalized."""

    #: The path as given (or found in a directory), or the ``source=`` of in-memory data.
    source: str
    #: The CLI's message, such as ``No such file or directory (os error 2)``.
    error: str
    #: Records read from it before the failure.
    records: int


class Stats(TypedDict):
    """The counts of a run, the CLI's ``--stats``."""

    #: Records read (normalized + rejected).
    records: int
    #: Events per log type.
    normalized: dict[str, int]
    #: Records rejected, and per reason code (``invalid_json``, ``missing_field``, ...).
    rejected: int
    rejected_by_reason: dict[str, int]
    #: Blank lines (not records).
    blank_lines: int
    #: Lines a text log type consumed on purpose (``skipLines``, comments, CSV headers).
    skipped_lines: int
    #: API pages without records (``{"audit_logs": [], ...}``; not records either).
    empty_pages: int
    #: Bytes read (decompressed).
    bytes: int
    failed_inputs: list[FailedInput]
    #: What the run has to say of inputs it read: a JSON document over
    #: ``max_document_bytes``, read line by line (``normalize`` and the end of a stream's
    #: iteration also warn of it, a ``normalog.InputWarning``).
    notes: list[str]
