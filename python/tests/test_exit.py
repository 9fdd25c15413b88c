"""The program ends while a daemon thread is inside a normalog call: it exits cleanly.

Python 3.10 to 3.13 end such a thread with `pthread_exit` when it takes the GIL back during
finalization; a frame on its stack that caught the forced unwind aborted the process
("FATAL: exception not rethrown", review s38-h1 F5). The module's `atexit` hook lets the
thread leave the call first, and hangs it at its next wait (`python/src/exit.rs`).
"""

import subprocess
import sys

import pytest

from conftest import gen

# A daemon thread turning small batches into pyarrow ones (most of its time is in the
# conversion) when the main thread ends. Before the hook, 3 to 8 runs in 8 aborted.
CONVERTING = """
import io, sys, threading, time
import normalog
given, records = sys.argv[1], sys.argv[2]
n = normalog.Normalizer(batch_rows=500)
data = records if given == "path" else io.BytesIO(open(records, "rb").read())
def call():
    for batch in n.iter_batches(data, "Zoom.Activity"):
        pass
threading.Thread(target=call, daemon=True).start()
time.sleep(0.2)
print("exit", flush=True)
"""


@pytest.fixture(scope="module")
def records(cli, tmp_path_factory):
    path = tmp_path_factory.mktemp("exit") / "z.ndjson"
    path.write_bytes(gen(cli, "-t", "Zoom.Activity", "-n", 200000, "--seed", 4))
    return path


def exits_cleanly(script, *args):
    # faulthandler: a crash prints where each thread was (a SIGSEGV at exit in CI said only
    # its return code).
    done = subprocess.run([sys.executable, "-X", "faulthandler", "-c", script, *map(str, args)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "FATAL" not in done.stderr and "Fatal Python error" not in done.stderr
    return done.stdout


@pytest.mark.parametrize("given", ["path", "file object"])
def test_a_daemon_thread_reading_a_stream_at_exit_does_not_abort(records, given):
    for _ in range(6):
        assert exits_cleanly(CONVERTING, given, records) == "exit\n"


# Each call waits on a pipe that never ends, in a daemon thread, when the program ends:
# the exit neither aborts nor waits for the call (the thread hangs at its next wait).
WAITING = """
import os, sys, threading, time
import pyarrow as pa
import normalog
call, given, records = sys.argv[1], sys.argv[2], sys.argv[3]
r, w = os.pipe()
os.write(w, open(records, "rb").read(60000))
n = normalog.Normalizer(batch_rows=100)
data = f"/dev/fd/{r}" if given == "path" else os.fdopen(r, "rb")
def run():
    if call == "iter_batches":
        for batch in n.iter_batches(data, "Zoom.Activity"):
            pass
    elif call == "pa.table":
        pa.table(n.iter_batches(data, "Zoom.Activity"))
    elif call == "normalize":
        n.normalize(data)
    else:
        n.rejects(data)
threading.Thread(target=run, daemon=True).start()
time.sleep(0.3)
print("exit", flush=True)
"""


@pytest.mark.parametrize("given", ["path", "file object"])
@pytest.mark.parametrize("call", ["iter_batches", "pa.table", "normalize", "rejects"])
def test_a_daemon_thread_waiting_in_a_call_at_exit_lets_the_program_end(records, call, given):
    assert exits_cleanly(WAITING, call, given, records) == "exit\n"


# An `atexit` function registered before `import normalog` stops and joins a worker that
# reads streams with pa.table: the join ends (the read pauses at the exit, then goes on).
# Review s47-h3 HIGH-1: the reader waited for ever once the interpreter exited, and so did
# the join, 3 runs in 3.
JOINED_READER = """
import atexit, sys, threading, time
import pyarrow as pa
stop = threading.Event()
def worker():
    while not stop.is_set():
        pa.table(n.iter_batches(sys.argv[1], "Zoom.Activity"))
thread = threading.Thread(target=worker, daemon=True)
def at_end():
    stop.set()
    thread.join(20)
    print("joined" if not thread.is_alive() else "join timed out", flush=True)
atexit.register(at_end)
import normalog
n = normalog.Normalizer(batch_rows=500, threads=1)
thread.start()
time.sleep(0.5)
"""


def test_an_atexit_function_joins_a_worker_reading_through_pyarrow(records):
    assert exits_cleanly(JOINED_READER, records) == "joined\n"


# A worker copies a stream to Parquet with DuckDB (which reads on threads of its own) when
# the program ends, and an `atexit` function joins it: every row is written. Review s47-h3
# HIGH-2: DuckDB's threads were told the stream had ended, and the COPY wrote a valid file
# of a third of the rows.
DUCKDB_AT_EXIT = """
import atexit, sys, threading, time
import duckdb
def at_end():
    thread.join(60)
atexit.register(at_end)
import normalog
n = normalog.Normalizer(batch_rows=500, threads=1)
def worker():
    s = n.iter_batches(sys.argv[1], "Zoom.Activity")
    con = duckdb.connect()
    con.sql("SET enable_progress_bar = false")
    con.sql(f"COPY (SELECT * FROM s) TO '{sys.argv[2]}' (FORMAT parquet)")
thread = threading.Thread(target=worker, daemon=True)
thread.start()
time.sleep(0.5)
"""


def test_a_duckdb_copy_of_a_stream_at_exit_writes_every_row(records, tmp_path):
    duckdb = pytest.importorskip("duckdb")
    inputs = tmp_path / "in"
    inputs.mkdir()
    for i in range(6):
        (inputs / f"{i}.ndjson").write_bytes(records.read_bytes())
    out = tmp_path / "out.parquet"
    assert exits_cleanly(DUCKDB_AT_EXIT, inputs, out) == ""
    rows = duckdb.sql(f"SELECT count(*) FROM '{out}'").fetchall()[0][0]
    assert rows == 1200000


# An `atexit` function registered before `import normalog` runs after the module's hook:
# its calls go on as ever (the thread that exits never hangs).
LATE = """
import atexit, sys
def late():
    import normalog
    result = normalog.Normalizer().normalize(sys.argv[1])
    print("late", result.stats["records"], flush=True)
atexit.register(late)
import normalog
"""


def test_a_call_in_an_atexit_function_still_runs(records):
    assert exits_cleanly(LATE, records) == "late 200000\n"


# A child of os.fork() has only the thread that forked: the parent's calls in other threads
# are not there, and counted, they held up the child's exit by the hook's grace (1 s).
FORKED = """
import os, sys, threading, time
import normalog
r, w = os.pipe()
os.write(w, open(sys.argv[1], "rb").read(60000))
n = normalog.Normalizer(batch_rows=100)
def run():
    for batch in n.iter_batches(os.fdopen(r, "rb"), "Zoom.Activity"):
        pass
threading.Thread(target=run, daemon=True).start()
time.sleep(0.3)
pid = os.fork()
if pid == 0:
    sys.exit(0)
start = time.monotonic()
os.waitpid(pid, 0)
print("child", "waited" if time.monotonic() - start > 0.9 else "quick", flush=True)
"""


def test_a_forked_child_does_not_wait_for_its_parents_calls_at_exit(records):
    assert exits_cleanly(FORKED, records) == "child quick\n"


# The same for a thread whose pyarrow reader of the C stream waits for the GIL between two
# batches (review s47-h1 LOW-2: 7 children in 40 waited the grace).
FORKED_READER = """
import os, sys, threading, time
import pyarrow as pa
import normalog
n = normalog.Normalizer(batch_rows=500, threads=1)
def read():
    while True:
        pa.table(n.iter_batches(sys.argv[1], "Zoom.Activity"))
threading.Thread(target=read, daemon=True).start()
time.sleep(0.3)
waited = 0
for _ in range(20):
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        sys.exit(0)
    os.waitpid(pid, 0)
    waited += time.monotonic() - start > 0.9
print("children waited:", waited, flush=True)
"""


def test_a_forked_child_does_not_wait_for_its_parents_stream_readers_at_exit(records):
    assert exits_cleanly(FORKED_READER, records) == "children waited: 0\n"


# Review s39-h6 F1: methods that make pyarrow objects without waiting for a run (a stream's
# schema, the rejects' schema) aborted the process at exit too, 6 runs in 6.
GETTERS = """
import sys, threading, time
import normalog
what, records = sys.argv[1], sys.argv[2]
n = normalog.Normalizer()
stream = n.iter_batches(records, "Zoom.Activity")
def loop():
    while True:
        if what == "schema":
            stream.schema
        else:
            normalog.Normalizer.rejects_schema()
for _ in range(4):
    threading.Thread(target=loop, daemon=True).start()
time.sleep(0.3)
print("exit", flush=True)
"""


@pytest.mark.parametrize("what", ["schema", "rejects_schema"])
def test_daemon_threads_making_schemas_at_exit_do_not_abort(records, what):
    for _ in range(3):
        assert exits_cleanly(GETTERS, what, records) == "exit\n"


# Review s39-h6 F2: an `atexit` function registered before `import normalog` runs after the
# module's hook; one that stops and joins a worker inside a normalog call waited for ever
# while the hook hung the worker. The worker's call now raises SystemExit, which ends it.
JOINED = """
import atexit, os, sys, threading, time
stop = threading.Event()
workers = []
def shutdown():
    stop.set()
    for t in workers:
        t.join()
    print("joined", flush=True)
atexit.register(shutdown)
import normalog
r, w = os.pipe()
os.write(w, open(sys.argv[1], "rb").read(60000))
n = normalog.Normalizer(batch_rows=100)
def work():
    for batch in n.iter_batches(os.fdopen(r, "rb"), "Zoom.Activity"):
        if stop.is_set():
            break
t = threading.Thread(target=work, daemon=True)
t.start()
workers.append(t)
time.sleep(0.3)
print("exit", flush=True)
"""


def test_an_atexit_function_may_join_a_worker_inside_a_call(records):
    assert exits_cleanly(JOINED, records) == "exit\njoined\n"
