"""Bytes given as data: read where they lie, not copied."""

from conftest import gen, peak_growth

# Normalizes about 130 MB of records made in memory before the run (see
# conftest.peak_growth); prints the rows.
MEMORY_PROBE = """
import normalog
record, copies = sys.argv[1].encode() + b"\\n", int(sys.argv[2])
data = record * copies
n = normalog.Normalizer(threads=1, batch_rows=4096)
start()
s = n.iter_batches(data, "Zoom.Activity", keep_rejects=False)
print(sum(b.num_rows for b in s))
"""


def test_bytes_are_not_copied(cli):
    """The run reads the caller's bytes where they lie: it holds a few batches and chunks
    beside them (they were copied, and the run held the input twice)."""
    record = gen(cli, "-t", "Zoom.Activity", "-n", 1, "--seed", 9).decode().strip()
    copies = 130_000_000 // (len(record) + 1)
    (rows,), growth = peak_growth(MEMORY_PROBE, record, copies)
    assert int(rows) == copies
    # A run over the same records from a path grows by about 54 MiB (batches of this wide
    # table, the reader's chunks); a copy of the input adds 124 MiB.
    assert growth < 80, f"peak RSS grew {growth:.0f} MiB for 130 MB of bytes"
