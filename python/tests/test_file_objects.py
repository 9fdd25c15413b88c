"""Binary file objects as inputs: read with their `read(n)` as they are normalized, with
the result of the same bytes given as a path, in bounded memory, and failures told as a
file's are."""

import gzip
import io

import pyarrow as pa
import pytest

import normalog
from conftest import canonical_rows, gen, peak_growth, rejects_as_cli


def same_result(a, b):
    assert a.stats == b.stats
    assert rejects_as_cli(a.rejects) == rejects_as_cli(b.rejects)
    assert sorted(a.tables) == sorted(b.tables)
    for log_type, table in a.tables.items():
        assert canonical_rows(table) == canonical_rows(b.tables[log_type]), log_type


@pytest.mark.parametrize("name", ["a_zendesk.ndjson.gz", "b_zoom_activity.ndjson.zst",
                                  "e_zendesk_page.json", "g_zoom_array.json", "h_odd.ndjson"])
def test_an_open_file_gives_what_its_path_gives(corpus, name):
    """Compressed, JSON documents, odd lines: an open file is read as its path is, rejects
    named by its path (the file's `name`); io.BytesIO as the bytes, named by its type."""
    path = corpus / name
    n = normalog.Normalizer()
    by_path = n.normalize(str(path))
    assert by_path.stats["records"] > 0
    with open(path, "rb") as f:
        same_result(n.normalize(f), by_path)
    by_bytes = n.normalize(path.read_bytes(), source="<BytesIO>")
    same_result(n.normalize(io.BytesIO(path.read_bytes())), by_bytes)
    # source= names a file object as it names bytes.
    with open(path, "rb") as f:
        same_result(n.normalize(f, source="<BytesIO>"), by_bytes)


def test_gzip_open_and_the_streams_read_file_objects(corpus):
    path = corpus / "a_zendesk.ndjson.gz"
    n = normalog.Normalizer(batch_rows=50)
    whole = n.normalize(str(path))
    with gzip.open(path) as f:  # decompressed by Python: the core sees plain NDJSON
        same_result(n.normalize(f), whole)
    with open(path, "rb") as f:
        stream = n.iter_batches(f, "Zendesk.Audit")
        table = pa.Table.from_batches(list(stream))
    assert canonical_rows(table) == canonical_rows(whole.tables["Zendesk.Audit"])
    assert stream.stats == whole.stats
    with open(path, "rb") as f:
        rejects = pa.Table.from_batches(list(n.iter_rejects(f)))
    assert rejects_as_cli(rejects) == rejects_as_cli(whole.rejects)
    with open(path, "rb") as f:
        table, stats = n.rejects(f)
    assert rejects_as_cli(table) == rejects_as_cli(whole.rejects) and stats == whole.stats


class Reads:
    """A file object whose reads give `data` (at most what is asked), then what `last` says:
    raise it (an exception), or give it."""

    def __init__(self, data, last=b""):
        self.data = data
        self.last = last

    def read(self, n=-1):
        if self.data:
            out, self.data = self.data[:n], self.data[n:]
            return out
        if isinstance(self.last, Exception):
            raise self.last
        return self.last


def test_a_file_object_that_fails_is_a_failed_input(cli):
    records = gen(cli, "-t", "Zoom.Activity", "-n", 5, "--seed", 4)
    n = normalog.Normalizer()
    with pytest.raises(OSError, match=r"no input could be read: <Reads>: read\(\) raised "
                                      r"ValueError: the bucket is gone"):
        n.normalize(Reads(b"", ValueError("the bucket is gone")))
    # Records read before the failure are kept, and the failure is told.
    with pytest.warns(normalog.InputWarning, match=r"<Reads>: read\(\) raised ConnectionError"):
        r = n.normalize(Reads(records, ConnectionError("reset by peer")))
    assert r.stats["normalized"] == {"Zoom.Activity": 5}
    assert r.stats["failed_inputs"][0]["records"] == 5
    assert "reset by peer" in r.stats["failed_inputs"][0]["error"]
    # read() that gives str (text mode in a class that does not say so), or too much.
    with pytest.raises(OSError, match=r"read\(\) returned str, not bytes: open the file in "
                                      r"binary mode"):
        n.normalize(Reads(records.decode()))

    class TooMuch:
        def read(self, n=-1):
            return b"x" * (n + 1)

    with pytest.raises(OSError, match=r"<TooMuch>: read\(\d+\) returned \d+ bytes, more than "
                                      r"asked"):
        n.normalize(TooMuch())


def test_text_mode_files_and_lists_of_file_objects_are_refused(corpus):
    n = normalog.Normalizer()
    with open(corpus / "h_odd.ndjson") as f:
        with pytest.raises(TypeError, match=r"text mode: open it in binary mode"):
            n.normalize(f)
    with pytest.raises(TypeError, match=r"data\[1\] is a file object: pass one file object"):
        n.iter_batches([corpus / "h_odd.ndjson", io.BytesIO(b"")], "Zoom.Activity")
    with pytest.raises(TypeError, match=r"bytes-like, a binary file object, a path"):
        n.normalize(3)


# Streams about 130 MB (see conftest.peak_growth): a file object that makes them as they
# are read, or bytes made before the run; prints the rows and how many reads there were.
MEMORY_PROBE = """
import normalog
record, copies, what = sys.argv[1].encode() + b"\\n", int(sys.argv[2]), sys.argv[3]

class Lazy:
    def __init__(self):
        self.left = copies
        self.pending = b""
        self.asked = 0
    def read(self, n=-1):
        self.asked += 1
        while len(self.pending) < n and self.left:
            take = min(self.left, 1000)
            self.pending += record * take
            self.left -= take
        out, self.pending = self.pending[:n], self.pending[n:]
        return out

lazy = Lazy()
data = lazy if what == "file object" else record * copies
n = normalog.Normalizer(threads=1, batch_rows=4096)
start()
s = n.iter_batches(data, "Zoom.Activity", keep_rejects=False)
print(sum(b.num_rows for b in s), lazy.asked)
"""


@pytest.mark.parametrize("what", ["file object", "bytes"])
def test_a_file_object_or_bytes_is_normalized_in_bounded_memory(cli, what):
    """A file object is read a chunk at a time, as it is normalized: the run holds a few
    batches and chunks, not the input (which a read of it whole into bytes would). Bytes
    are read where they lie (they were copied: the run held the input twice)."""
    record = gen(cli, "-t", "Zoom.Activity", "-n", 1, "--seed", 9).decode().strip()
    copies = 130_000_000 // (len(record) + 1)
    (rows, asked), growth = peak_growth(MEMORY_PROBE, record, copies, what)
    assert int(rows) == copies
    if what == "file object":
        assert int(asked) > 10, "read in chunks"
    # A run over the same bytes from a path grows by about 54 MiB (batches of this wide
    # table, the reader's chunks): the stream is not held whole.
    assert growth < 80, f"peak RSS grew {growth:.0f} MiB for a 130 MB stream"
