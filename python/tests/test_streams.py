"""Streams read whole: what they tell of their inputs, and Ctrl-C while they are read by
`read_all` or through the Arrow C stream (pyarrow)."""

import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from contextlib import contextmanager

import pyarrow as pa
import pytest

import normalog
from conftest import gen

NOTE = (r"<bytes>: a JSON document over max_document_bytes \(64\): it is read line by "
        r"line, as NDJSON; raise the Normalizer's max_document_bytes= to read it whole")


def test_streams_read_a_document_cut_short_and_tell_where_one_breaks(cli):
    """Review s47-h2 MEDIUM-3: an array cut short was read line by line, every line a
    reject, the first at line 1. Now its whole records are read and the input is a failed
    one; an array broken elsewhere is read line by line, with a note of where it breaks."""
    records = gen(cli, "-t", "Zoom.Activity", "-n", 3, "--seed", 62).splitlines()
    cut = (b"[\n" + b",\n".join(records))[:-10]
    with pytest.warns(normalog.InputWarning, match="the JSON document ends early"):
        stream = normalog.Normalizer().iter_batches(cut, "Zoom.Activity")
        assert sum(b.num_rows for b in stream) == 2
    [failed] = stream.stats["failed_inputs"]
    assert failed["records"] == 2 and failed["error"].startswith("the JSON document ends early")
    broken = b"[\n" + b",\n,".join(records) + b"\n]"
    note = (r"<bytes>: starts as a JSON document, but its JSON breaks at line 3, column 1 "
            r"\(expected value\): it is read line by line, as NDJSON")
    with pytest.warns(normalog.InputWarning, match=note):
        stream = normalog.Normalizer().iter_batches(broken, "Zoom.Activity")
        assert sum(b.num_rows for b in stream) == 0
    assert len(stream.stats["notes"]) == 1


def test_streams_tell_of_a_document_over_the_limit(cli):
    """Review finding: `normalize` warned that a JSON document over max_document_bytes is
    read line by line, the streams (which every Spark task uses) said nothing: a big export
    became a flood of rejects with no hint. A stream warns at the end of its iteration, and
    has the note in `stats["notes"]`, also when pyarrow read it through the C stream."""
    records = gen(cli, "-t", "Zoom.Activity", "-n", 3, "--seed", 62).splitlines()
    array = b"[\n" + b",\n".join(records) + b"\n]\n"
    small = normalog.Normalizer(max_document_bytes=64)
    with pytest.warns(normalog.InputWarning, match=NOTE):
        stream = small.iter_batches(array, "Zoom.Activity", keep_rejects=False)
        assert sum(b.num_rows for b in stream) == 1
    assert len(stream.stats["notes"]) == 1
    assert stream.stats["rejected"] == 4
    with pytest.warns(normalog.InputWarning, match=NOTE):
        rejects = small.iter_rejects(array)
        assert sum(b.num_rows for b in rejects) == 4
    assert rejects.stats["notes"] == stream.stats["notes"]
    with pytest.warns(normalog.InputWarning, match=NOTE):
        small.iter_batches(array, "Zoom.Activity").read_all()
    # Through the C stream no warning reaches the caller; stats has the note.
    via_c = small.iter_batches(array, "Zoom.Activity")
    assert pa.table(via_c).num_rows == 1
    assert via_c.stats["notes"] == stream.stats["notes"]
    # normalize's and rejects' stats have it too (beside their warning).
    with pytest.warns(normalog.InputWarning, match=NOTE):
        assert small.normalize(array).stats["notes"] == stream.stats["notes"]
    with pytest.warns(normalog.InputWarning, match=NOTE):
        assert small.rejects(array)[1]["notes"] == stream.stats["notes"]
    # Under the limit: no note, no warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        whole = normalog.Normalizer().iter_batches(array, "Zoom.Activity")
        assert sum(b.num_rows for b in whole) == 3 and whole.stats["notes"] == []


@contextmanager
def live_input(cli, tmp_path, busy=False):
    """A named pipe of Zoom.Activity records whose writer keeps it open until the block
    ends (at most a minute): a read of it whole cannot end before then, only Ctrl-C can
    end it; and a SIGINT sent to this process half a second in. `busy`: the writer writes
    records all along, so that batches keep coming, instead of pausing after the first."""
    fifo = tmp_path / "live.ndjson"
    os.mkfifo(fifo)
    release = threading.Event()
    records = gen(cli, "-t", "Zoom.Activity", "-n", 20_000, "--seed", 73)

    def writer():
        try:
            with open(fifo, "wb") as f:
                f.write(records)
                f.flush()
                deadline = time.monotonic() + 60
                while busy and not release.is_set() and time.monotonic() < deadline:
                    f.write(records)
                release.wait(60)
        except BrokenPipeError:  # the run stopped reading
            pass

    feed = threading.Thread(target=writer)
    feed.start()
    # Python's own handler, whatever this process inherited (a background job starts with
    # SIGINT ignored).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        yield fifo
    finally:
        release.set()
        feed.join()
        timer.join()
        signal.signal(signal.SIGINT, previous)


def interrupted(read) -> list:
    """What ended `read()`: the str of an exception it raised, then "KeyboardInterrupt"
    if one came (at once, or at a next step of the code that caught the first)."""
    seen = []
    try:
        try:
            read()
            seen.append("finished")
        except Exception as e:  # the C stream's reader raises its own error first
            seen.append(str(e))
            for _ in range(100):
                time.sleep(0.01)
    except KeyboardInterrupt:
        seen.append("KeyboardInterrupt")
    return seen


# The ways to read a stream whole.
READS = {
    "read_all": lambda s: s.read_all(),
    "pa.table": lambda s: pa.table(s),
    "from_stream": lambda s: pa.RecordBatchReader.from_stream(s).read_all(),
}


@pytest.mark.parametrize("how", ["read_all", "pa.table", "from_stream"])
def test_ctrl_c_stops_a_busy_stream_read_whole(cli, tmp_path, how):
    """Review s46-h2 MEDIUM-1: signals were looked at only when no batch came for 50 ms, so
    a read whole of a run that sends a batch every few milliseconds went on to the end of
    its input. Here the input never ends: only Ctrl-C can end the read."""
    n = normalog.Normalizer(threads=1)
    started = time.monotonic()
    with live_input(cli, tmp_path, busy=True) as fifo:
        stream = n.iter_batches(fifo, "Zoom.Activity", keep_rejects=False)
        seen = interrupted(lambda: READS[how](stream))
        waited = time.monotonic() - started
    assert seen[-1] == "KeyboardInterrupt", seen
    assert waited < 30, "the read ended with its input, not with Ctrl-C"


@pytest.mark.parametrize("how", ["read_all", "pa.table", "from_stream"])
def test_ctrl_c_stops_a_stream_read_whole(cli, tmp_path, how):
    """Review finding: Ctrl-C stopped `for batch in stream`, but `stream.read_all()` and
    `pa.table(stream)` (pyarrow reads the C stream without the GIL) went on until the whole
    input was read (13 s for 16 files), and the result was lost all the same. The input
    here is a pipe held open for a minute: the read ends by Ctrl-C or not before then."""
    n = normalog.Normalizer(threads=1)
    started = time.monotonic()
    with live_input(cli, tmp_path) as fifo:
        stream = n.iter_batches(fifo, "Zoom.Activity", keep_rejects=False)
        seen = interrupted(lambda: READS[how](stream))
        waited = time.monotonic() - started
    assert seen[-1] == "KeyboardInterrupt", seen
    assert waited < 30, "the read ended with its input, not with Ctrl-C"
    if how == "read_all":
        assert seen == ["KeyboardInterrupt"]
    elif len(seen) == 2:
        # pyarrow's error (ours as its message) may come first, the KeyboardInterrupt at
        # the next step of the code that caught it.
        assert "KeyboardInterrupt: the read was interrupted" in seen[0], seen
    if how == "read_all":
        # Stopped by Ctrl-C in its own read: it says so (review s46-h4 LOW-3).
        with pytest.raises(RuntimeError, match="the stream was stopped by an exception"):
            stream.read_all()
    else:
        # Its batches went to pyarrow's reader.
        with pytest.raises(ValueError, match="the stream was already read"):
            stream.read_all()
    # The normalizer is as good as before.
    assert n.normalize(b'{"email":"a@example.com","time":"2023-07-01T14:00:00Z"}').stats["normalized"] == {"Zoom.Activity": 1}


def test_a_stream_stopped_by_ctrl_c_says_so_when_read_again(cli, tmp_path):
    """Review s46-h3 LOW-6: a stream whose wait for a batch a Ctrl-C ended (its run stopped
    with it) then iterated as if its input had ended, and `stats` said they are known once
    every batch was read."""
    n = normalog.Normalizer(threads=1)
    with live_input(cli, tmp_path) as fifo:
        stream = n.iter_batches(fifo, "Zoom.Activity", keep_rejects=False)

        def loop():
            for _ in stream:
                pass

        seen = interrupted(loop)
    assert seen == ["KeyboardInterrupt"], seen
    with pytest.raises(RuntimeError, match=r"the stream was stopped by an exception \(Ctrl-C\) "
                                           r"before its end, and its run with it"):
        next(stream)
    with pytest.raises(RuntimeError, match=r"stats are not known: the stream was stopped"):
        stream.stats
    # Read whole too (review s46-h4 LOW-3: "the stream was already read").
    for how in READS:
        with pytest.raises(RuntimeError, match=r"the stream was stopped by an exception"):
            READS[how](stream)


@pytest.mark.parametrize("how", ["loop", "read_all"])
def test_ctrl_c_while_pyarrow_is_first_imported_loses_no_batch(cli, tmp_path, how):
    """Review s46-h4 HIGH-1: the first batch of a process was taken off the run, and then
    pyarrow imported to convert it; a Ctrl-C during that import lost the batch, and the
    stream read on. Here an import hook raises KeyboardInterrupt at pyarrow's first import
    (in a fresh interpreter, where pyarrow is not imported yet): the loop, started again,
    must get every row once; so must `read_all()` called again (review s46-h5 MEDIUM-2)."""
    import subprocess
    import sys
    data = tmp_path / "activity.ndjson"
    data.write_bytes(gen(cli, "-t", "Zoom.Activity", "-n", 5_000, "--seed", 74))
    script = f'''
import sys
class Interrupting:
    def find_spec(self, name, path=None, target=None):
        if name == "pyarrow":
            sys.meta_path.remove(self)
            raise KeyboardInterrupt
        return None
import normalog
assert "pyarrow" not in sys.modules
sys.meta_path.insert(0, Interrupting())
stream = normalog.Normalizer(threads=1).iter_batches({str(data)!r}, "Zoom.Activity")
ids = []
for attempt in range(2):
    try:
        if {how!r} == "loop":
            for batch in stream:
                ids += batch.column("p_row_id").to_pylist()
        else:
            ids += stream.read_all().column("p_row_id").to_pylist()
    except KeyboardInterrupt:
        continue
print(len(ids), len(set(ids)), stream.stats["records"])
'''
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["5000", "5000", "5000"], out.stdout


# `stream.rejects` on one thread, `stream.stats` or `repr(stream)` on another: both return.
# Before, `rejects` kept the stream's end locked while pyarrow made the table (without the
# GIL), and the other waited for that lock with the GIL held: the interpreter froze at once
# (review s47-h1 HIGH-3, 6 runs in 6).
GETTERS_ON_TWO_THREADS = """
import faulthandler, sys, threading, time
import normalog
faulthandler.dump_traceback_later(30, exit=True)
bad = b"".join(b'{"not a zoom record": %d}\\n' % i for i in range(50000))
stream = normalog.Normalizer(batch_rows=100, threads=1).iter_batches(bad, "Zoom.Activity")
for batch in stream:
    pass
stop = time.monotonic() + 1.5
def rejects():
    while time.monotonic() < stop:
        assert stream.rejects.num_rows == 50000
def look():
    while time.monotonic() < stop:
        stream.stats if sys.argv[1] == "stats" else repr(stream)
threads = [threading.Thread(target=f) for f in (rejects, look)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("done", flush=True)
"""


@pytest.mark.parametrize("look", ["stats", "repr"])
def test_rejects_and_stats_on_two_threads_do_not_freeze(look):
    done = subprocess.run([sys.executable, "-c", GETTERS_ON_TWO_THREADS, look],
                          capture_output=True, text=True, timeout=90)
    assert (done.returncode, done.stdout) == (0, "done\n"), done.stderr
