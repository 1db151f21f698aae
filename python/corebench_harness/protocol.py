"""The harness's side of the line protocol with Node (src/runtimes/python/protocol.ts).

stdin: one JSON object on one line (the plan); Node then keeps stdin open, and its end (EOF) means
the parent is gone, so the harness kills everything it started and exits.

stdout: JSON lines only, in this order:
  {"type":"hello","protocol":2,"python":"3.11.7","implementation":"CPython","gil":true,"pid":N,"workloads":[...]}
  {"type":"progress","phase":"startup"|"run"|"shutdown","run":k,"done":n,"oldestRunningMs":x|null,"oldestTask":i|null}
      about every 100 ms from the plan until exit (a heartbeat: silence means a frozen harness)
  {"type":"pool","startupMs":x,"pids":[...],"startMethod":...|null,"clockStepMs":x}   once the pool
      is ready; clockStepMs is the smallest span the monotonic clock tells from nothing here
  {"type":"tasks","run":k,"from":i,"checksums":[...],"times":{...}}   tasks i.. of run k, at most
      TASKS_PER_LINE (1024) per line, in order, before the run's line: however many tasks a run has,
      no line grows past a few hundred KB (a 300 000-task run as one line was tens of MB); times has
      dispatchedAt, startedAt, endedAt, receivedAt (epoch ms, see Clock) and runMs (each task's span
      on the monotonic clock of the process that ran it, at that clock's full precision)
  {"type":"run","run":k,"warmup":bool,"ok":true,...}                  one per run, see session.py
  {"type":"run","run":k,"warmup":bool,"ok":false,"code":"COREBENCH_ERR_...","error":"...","task":i|null}
      after which the harness exits with status 1.
stderr is free-form diagnostics.

Clock: every timestamp is epoch milliseconds from ``now_ms()``: the harness reads ``time.time_ns()``
once and from then on adds ``time.monotonic_ns()`` deltas. CLOCK_MONOTONIC is one clock for the whole
machine, so pool children adopt the harness's anchor (``adopt_anchor``) and every process stamps on
the same clock, immune to wall-clock steps during a run. A task's own duration (runMs) is not a
difference of two such doubles (they step by ~0.24 us) but of two monotonic_ns integers.
"""
import json
import os
import sys
import threading
import time

from corebench_harness import PROTOCOL_VERSION

_anchor = (time.time_ns(), time.monotonic_ns())


def anchor():
    return _anchor


def adopt_anchor(value):
    global _anchor
    _anchor = tuple(value)


def now_ms():
    epoch_ns, mono_ns = _anchor
    return (epoch_ns + time.monotonic_ns() - mono_ns) / 1e6


def stamp():
    """(epoch ms, monotonic ns) of one clock read: the first to place an event among processes (a
    double of ~1.7e12 ms steps by 2**-12 ms, ~0.24 us), the second to time a span inside this
    process at the clock's own precision (an integer of ns)."""
    mono = time.monotonic_ns()
    epoch_ns, mono_ns = _anchor
    return (epoch_ns + mono - mono_ns) / 1e6, mono


def clock_step_ms(pairs=2000):
    """The smallest non-zero difference between two back-to-back reads of the monotonic clock, in
    ms: the shortest span it can tell from nothing (the read itself included)."""
    step = None
    read = time.monotonic_ns
    for _ in range(pairs):
        a = read()
        b = read()
        if b > a and (step is None or b - a < step):
            step = b - a
    return (step or 1) / 1e6


class PlanError(Exception):
    """The plan on stdin cannot be run."""


class Channel:
    """Writes protocol lines on a private copy of stdout; fd 1 itself is pointed at stderr, so a
    stray print (ours, a library's, a child's) can never corrupt the protocol."""

    def __init__(self):
        self._fd = os.dup(1)
        os.dup2(2, 1)
        self._lock = threading.Lock()

    def send(self, obj):
        data = (json.dumps(obj, separators=(",", ":"), allow_nan=False) + "\n").encode("utf-8")
        with self._lock:
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view):]


MAX_PLAN_BYTES = 1 << 20


def read_plan_line():
    """The first line of stdin, read straight from fd 0 so that nothing is buffered past it."""
    chunks = []
    size = 0
    while True:
        chunk = os.read(0, 65536)
        if not chunk:
            raise PlanError("stdin closed before a plan line arrived")
        newline = chunk.find(b"\n")
        chunks.append(chunk if newline < 0 else chunk[:newline])
        size += len(chunks[-1])
        if size > MAX_PLAN_BYTES:
            raise PlanError("the plan line is longer than %d bytes" % MAX_PLAN_BYTES)
        if newline >= 0:
            break
    try:
        return json.loads(b"".join(chunks).decode("utf-8"))
    except ValueError as err:
        raise PlanError("the plan line is not JSON: %s" % err)


def watch_stdin(on_eof):
    """Calls ``on_eof`` (from a daemon thread) when the parent closes our stdin or dies."""

    def loop():
        try:
            while os.read(0, 65536):
                pass
        except OSError:
            pass
        on_eof()

    threading.Thread(target=loop, name="corebench-stdin", daemon=True).start()


def gil_enabled():
    check = getattr(sys, "_is_gil_enabled", None)
    return True if check is None else bool(check())


def hello_line(workload_ids):
    import platform

    return {
        "type": "hello",
        "protocol": PROTOCOL_VERSION,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "gil": gil_enabled(),
        "pid": os.getpid(),
        "workloads": list(workload_ids),
    }
