"""The four executors as Python has them, each with one pool for the whole fork:

- ``serialized``: the harness's main thread runs the tasks one after another (the plain ``for`` loop);
- ``async``: one asyncio event loop starts every task at once; only awaits (``sleep``, file I/O in the
  loop's thread pool) overlap, CPU work does not;
- ``threaded``: ``concurrent.futures.ThreadPoolExecutor(workers)``, one task per submit: every thread
  shares one interpreter, so under the GIL CPU work runs one thread at a time;
- ``process``: ``multiprocessing`` Pool of ``workers`` (see pool.py).

An executor's ``run`` fills a RunState and returns what only it knows (child CPU, bytes moved, the
shared counter); the session measures the harness's own CPU around it.
"""
import asyncio
import os
import queue
import threading
from array import array
from concurrent.futures import ThreadPoolExecutor

from corebench_harness.protocol import now_ms, stamp
from corebench_harness.workloads import Context, Counter

TASK_FAILED = "COREBENCH_ERR_TASK_FAILED"
WORKER_EXITED = "COREBENCH_ERR_WORKER_EXITED"
HARNESS_PROTOCOL = "COREBENCH_ERR_HARNESS_PROTOCOL"


class TaskError(Exception):
    """Fails the run: becomes the run's failure line (``code`` is a COREBENCH_ERR_* code)."""

    def __init__(self, code, message, task=None):
        super().__init__(message)
        self.code = code
        self.task = task


def execute(workload, params, ctx, stamps):
    """Runs one task; never raises for a workload error (it comes back as data, like Node's runTask).
    The start stamp goes to ``stamps`` first, where the heartbeat sees a task that never ends.
    Returns (index, checksum, error, started, ended, run_ms): epoch-ms stamps, and the span in ms
    from monotonic ns."""
    started, t0 = stamp()
    stamps[ctx.index] = started
    try:
        checksum = workload.run(params, ctx)
        error = None
    except Exception as err:  # noqa: BLE001 - any workload error fails its run, as data
        checksum, error = None, "%s: %s" % (type(err).__name__, err)
    ended, t1 = stamp()
    return (ctx.index, checksum, error, started, ended, (t1 - t0) / 1e6)


class RunState:
    """One run's per-task stamps and checksums. The heartbeat thread reads it while the run goes on;
    the reads are racy by design (a stale ``done`` or stamp costs one heartbeat of accuracy)."""

    def __init__(self, run, tasks, workload_id, stamps):
        self.run = run
        self.tasks = tasks
        self.workload_id = workload_id
        self.stamps = stamps
        self.dispatched = [0.0] * tasks
        self.started = [0.0] * tasks
        self.ended = [0.0] * tasks
        self.received = [0.0] * tasks
        self.run_ms = [0.0] * tasks
        self.checksums = [None] * tasks
        self.finished = bytearray(tasks)
        self.done = 0
        self.first = 0.0
        self.last = 0.0
        self._cursor = 0

    def dispatch(self, index, at=None):
        at = now_ms() if at is None else at
        if self.first == 0.0:
            self.first = at
        self.dispatched[index] = at

    def dispatch_all(self):
        at = now_ms()
        for i in range(self.tasks):
            self.dispatch(i, at)

    def record(self, result, received):
        index, checksum, error, started, ended, run_ms = result
        self.started[index] = started
        self.ended[index] = ended
        self.run_ms[index] = run_ms
        self.received[index] = received
        self.last = received
        if error is not None:
            raise TaskError(TASK_FAILED, "task %d (%s) threw %s" % (index, self.workload_id, error), index)
        self.checksums[index] = checksum
        self.finished[index] = 1
        self.done += 1

    def oldest_running(self, at):
        """(ms the oldest unfinished started task has run, its index), or (None, None)."""
        while self._cursor < self.tasks and self.finished[self._cursor]:
            self._cursor += 1
        oldest, task = None, None
        for i in range(self._cursor, self.tasks):
            start = self.stamps[i]
            if start > 0 and not self.finished[i] and (oldest is None or start < oldest):
                oldest, task = start, i
        return (None, None) if oldest is None else (max(0.0, at - oldest), task)


def fresh_stamps(tasks):
    return array("d", bytes(8 * tasks))


class Serialized:
    kind = "serialized"
    serialization = "none"

    def __init__(self, plan):
        self.plan = plan

    def start(self, deadline):
        pass

    def pids(self):
        return [os.getpid()]

    def stamps(self, tasks):
        return fresh_stamps(tasks)

    def run(self, state, job):
        counter = Counter() if job.workload.shared else None
        state.dispatch_all()
        for i in range(state.tasks):
            result = execute(job.workload, job.params, Context(i, job.tmp_dir, counter), state.stamps)
            state.record(result, now_ms())
        return shared_in_one_space(counter)

    def close(self):
        pass

    def kill(self):
        pass


def shared_in_one_space(counter):
    return {} if counter is None else {"shared": {"arrived": counter.value, "memorySpaces": 1}}


class Async(Serialized):
    kind = "async"

    def start(self, deadline):
        self.loop = asyncio.new_event_loop()
        self.loop.run_until_complete(asyncio.sleep(0))

    def run(self, state, job):
        w, params = job.workload, job.params
        counter = Counter() if w.shared else None

        async def one(i):
            ctx = Context(i, job.tmp_dir, counter)
            started, t0 = stamp()
            state.stamps[i] = started
            try:
                checksum = await w.arun(params, ctx) if w.arun else w.run(params, ctx)
                error = None
            except Exception as err:  # noqa: BLE001
                checksum, error = None, "%s: %s" % (type(err).__name__, err)
            ended, t1 = stamp()
            state.record((i, checksum, error, started, ended, (t1 - t0) / 1e6), now_ms())

        async def every():
            state.dispatch_all()
            await asyncio.gather(*[one(i) for i in range(state.tasks)])

        self.loop.run_until_complete(every())
        return shared_in_one_space(counter)

    def close(self):
        self.loop.close()


class Threaded(Serialized):
    kind = "threaded"

    def start(self, deadline):
        workers = self.plan["workers"]
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="corebench-worker")
        # ThreadPoolExecutor makes threads lazily; holding each on a barrier makes it create all of
        # them now, inside startupMs, instead of inside the first run.
        barrier = threading.Barrier(workers + 1)
        for _ in range(workers):
            self.pool.submit(barrier.wait)
        try:
            barrier.wait(timeout=max(0.001, deadline - now_ms()) / 1000)
        except threading.BrokenBarrierError:
            raise TaskError(WORKER_EXITED, "the %d pool threads did not start within the startup timeout" % workers)

    def run(self, state, job):
        w, params = job.workload, job.params
        counter = Counter() if w.shared else None
        results = queue.SimpleQueue()

        def task(i):
            results.put(execute(w, params, Context(i, job.tmp_dir, counter), state.stamps))

        for i in range(state.tasks):
            state.dispatch(i)
            self.pool.submit(task, i)
        # receivedAt is when the coordinating main thread gets the result, so under the GIL it
        # includes the wait for the interpreter, as Node's includes the wait for its event loop.
        for _ in range(state.tasks):
            state.record(results.get(), now_ms())
        return shared_in_one_space(counter)

    def close(self):
        self.pool.shutdown(wait=True)
