"""The ``process`` executor: a ``multiprocessing`` Pool of ``workers`` children, every task one
``apply_async`` (chunksize 1), tasks and results pickled across pipes.

Start method: ``spawn`` unless the plan says otherwise. It is the same on every Python version and
platform (``fork`` was Linux's default up to 3.13, ``forkserver`` is from 3.14), it never forks a
process that already runs threads (the harness has its stdin and heartbeat threads), and its cost
(a fresh interpreter per child) is exactly what startupMs should show.

Shared memory (one ``RawArray`` each, created before the pool so spawn children inherit them):
- ``stamps[i]``: when task i started, written by the child; the heartbeat reads it like Node's
  SharedArrayBuffer watchdog, so a runaway task is seen without any message from its child;
- ``owners[i]``: the pid of the child that runs task i, to name the task a dead child took with it;
- ``slots``: per child, its pid and its cumulative getrusage (user s, system s, max RSS bytes) and
  shared counter, rewritten after each task. A run's child CPU is the sum over children of the
  slot difference between the run's end and its start, i.e. from the end of each child's last task
  of the previous run (or its start-up) to the end of its last task of this run; what a child spends
  after a task ends (pickling the result) lands in its next run, not in this one.

Each child's shared counter is private to that child (a process has its own memory); it restarts
at 0 with each run, and ``arrived`` sums the children's counters.
"""
import multiprocessing
import os
import queue
import resource
import signal
import sys
import time
from multiprocessing.reduction import ForkingPickler

from corebench_harness.executors import WORKER_EXITED, TaskError, execute
from corebench_harness.lifeline import die_with_parent
from corebench_harness.protocol import adopt_anchor, anchor, now_ms
from corebench_harness.workloads import WORKLOADS, Context, Counter, register_module

SLOT = 5  # pid, user s, system s, max RSS bytes, shared counter
RSS_UNIT = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is bytes on macOS, KiB elsewhere

_child = {}


def _child_init(clock, stamps, owners, slots, next_slot, workers, package=None):
    die_with_parent()
    if package is not None:
        # A spawned child starts with the built-ins only: the package workload's twin, by the plan's path.
        register_module(package[0], package[1])
    adopt_anchor(clock)
    with next_slot.get_lock():
        slot = next_slot.value
        next_slot.value += 1
    # A replacement child (the pool respawns dead ones) gets no slot; its run fails anyway.
    _child.update(stamps=stamps, owners=owners, slots=slots, slot=slot if slot < workers else -1, run=-1, counter=Counter())
    _report()


def _report():
    slot = _child["slot"]
    if slot < 0:
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    base = slot * SLOT
    slots = _child["slots"]
    slots[base + 1] = usage.ru_utime
    slots[base + 2] = usage.ru_stime
    slots[base + 3] = usage.ru_maxrss * RSS_UNIT
    slots[base + 4] = _child["counter"].value
    slots[base] = os.getpid()  # last: a pid in the slot means the child is ready


def _child_task(run, index, workload_id, params, tmp_dir):
    if _child["run"] != run:
        _child["run"] = run
        _child["counter"] = Counter()
    _child["owners"][index] = os.getpid()
    result = execute(WORKLOADS[workload_id], params, Context(index, tmp_dir, _child["counter"]), _child["stamps"])
    _report()
    return result


def describe_exit(code):
    if code is not None and code < 0:
        try:
            return "was killed by %s" % signal.Signals(-code).name
        except ValueError:
            return "was killed by signal %d" % -code
    return "exited with code %s" % code


class Process:
    kind = "process"
    serialization = "pickle"

    def __init__(self, plan):
        self.plan = plan
        self.workers = plan["workers"]
        self.start_method = plan.get("startMethod") or "spawn"
        self.procs = []

    def start(self, deadline):
        ctx = multiprocessing.get_context(self.start_method)
        tasks = self.plan["tasks"]
        self.stamps_array = ctx.RawArray("d", tasks)
        self.owners = ctx.RawArray("i", tasks)
        self.slots = ctx.RawArray("d", self.workers * SLOT)
        next_slot = ctx.Value("i", 0)
        self.pool = ctx.Pool(self.workers, initializer=_child_init,
                             initargs=(anchor(), self.stamps_array, self.owners, self.slots, next_slot, self.workers,
                                       (self.plan["module"], self.plan["workload"]) if self.plan.get("module") else None))
        self.procs = list(self.pool._pool)  # the Process objects: their exit codes tell a dead child
        while True:
            ready = sum(1 for k in range(self.workers) if self.slots[k * SLOT] > 0)
            if ready == self.workers:
                return
            dead = self._dead()
            if dead is not None:
                raise TaskError(WORKER_EXITED, "pool child process %d %s during start-up" % (dead.pid, describe_exit(dead.exitcode)))
            if now_ms() > deadline:
                raise TaskError(WORKER_EXITED, "only %d of %d pool child processes started within the start-up timeout" % (ready, self.workers))
            time.sleep(0.002)

    def pids(self):
        return [p.pid for p in self.procs]

    def stamps(self, tasks):
        for i in range(tasks):
            self.stamps_array[i] = 0.0
            self.owners[i] = 0
        return self.stamps_array

    def _dead(self):
        for p in self.procs:
            if p.exitcode is not None:
                return p
        return None

    def _usage(self):
        s = self.slots
        return [(s[k * SLOT + 1], s[k * SLOT + 2], s[k * SLOT + 3], s[k * SLOT + 4]) for k in range(self.workers)]

    def run(self, state, job):
        for k in range(self.workers):
            self.slots[k * SLOT + 4] = 0.0
        before = self._usage()
        results = queue.SimpleQueue()
        wid, params, tmp = job.workload.id, job.params, job.tmp_dir
        for i in range(state.tasks):
            state.dispatch(i)
            self.pool.apply_async(_child_task, (state.run, i, wid, params, tmp), callback=results.put, error_callback=results.put)
        while state.done < state.tasks:
            try:
                item = results.get(timeout=0.05)
            except queue.Empty:
                self._check_alive(state)
                continue
            if isinstance(item, BaseException):  # the pool could not pickle a task or a result
                raise TaskError(WORKER_EXITED, "the process pool failed: %s: %s" % (type(item).__name__, item))
            state.record(item, now_ms())
        after = self._usage()
        first_task = ForkingPickler.dumps((0, 0, _child_task, (state.run, 0, wid, params, tmp), {}))
        received = sum(len(ForkingPickler.dumps((0, 0, (True, (i, state.checksums[i], None, state.started[i], state.ended[i], state.run_ms[i])))))
                       for i in range(state.tasks))
        out = {
            "childCpuUserMs": sum(a[0] - b[0] for a, b in zip(after, before)) * 1000,
            "childCpuSystemMs": sum(a[1] - b[1] for a, b in zip(after, before)) * 1000,
            "childPeakRssBytes": sum(a[2] for a in after),
            "bytesToWorkers": len(first_task) * state.tasks,
            "bytesFromWorkers": received,
        }
        if job.workload.shared:
            out["shared"] = {"arrived": int(sum(a[3] for a in after)), "memorySpaces": self.workers}
        return out

    def _check_alive(self, state):
        dead = self._dead()
        if dead is None:
            return
        task = next((i for i in range(state.tasks) if self.owners[i] == dead.pid and not state.finished[i]), None)
        where = "" if task is None else " while running task %d" % task
        raise TaskError(WORKER_EXITED, "pool child process %d %s%s" % (dead.pid, describe_exit(dead.exitcode), where), task)

    def close(self):
        self.pool.close()
        self.pool.join()

    def kill(self):
        for p in self.procs:
            try:
                os.kill(p.pid, signal.SIGKILL)
            except OSError:
                pass
