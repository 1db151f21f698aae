"""One fork: read the plan, start the pool (timed as startupMs), run ``warmup`` warm-up runs and one
measured run on it, report each as a ``run`` line, shut the pool down, exit 0. A failed run is
reported and the harness exits 1 at once, killing its pool children.

CPU of a run = this process's getrusage(RUSAGE_SELF) delta over the run (every thread of it) plus,
for ``process``, what each pool child reports for itself (pool.py). Peak RSS = this process's max
RSS plus each child's: lifetime peaks, so a warm-up run's peak can show in the measured run.
"""
import json
import os
import resource
import signal
import sys
import threading

from corebench_harness import PROTOCOL_VERSION
from corebench_harness.executors import HARNESS_PROTOCOL, Async, RunState, Serialized, TaskError, Threaded
from corebench_harness.lifeline import die_with_parent, mark_children
from corebench_harness.pool import RSS_UNIT, Process
from corebench_harness.protocol import Channel, PlanError, clock_step_ms, hello_line, now_ms, read_plan_line, watch_stdin
from corebench_harness.workloads import WORKLOADS, Context, Counter, check_params, register_module

EXECUTORS = {"serialized": Serialized, "async": Async, "threaded": Threaded, "process": Process}
HEARTBEAT_S = 0.1
TASKS_PER_LINE = 1024  # MAX_TASKS_PER_LINE in src/runtimes/python/protocol.ts
DEFAULT_STARTUP_TIMEOUT_MS = 60000
PLAN_KEYS = {"protocol", "workload", "params", "tasks", "executor", "workers", "warmup", "tmpDir", "startupTimeoutMs", "startMethod", "module"}


class Job:
    def __init__(self, workload, params, tmp_dir):
        self.workload = workload
        self.params = params
        self.tmp_dir = tmp_dir


def positive_int(plan, key, minimum):
    value = plan.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise PlanError("plan.%s must be an integer >= %d, got %r" % (key, minimum, value))
    return value


def parse_plan(plan):
    if not isinstance(plan, dict):
        raise PlanError("the plan must be a JSON object")
    unknown = set(plan) - PLAN_KEYS
    if unknown:
        raise PlanError("unknown plan keys: %s" % ", ".join(sorted(unknown)))
    if plan.get("protocol", PROTOCOL_VERSION) != PROTOCOL_VERSION:
        raise PlanError("this harness speaks protocol %d, the plan asks for %r" % (PROTOCOL_VERSION, plan.get("protocol")))
    if plan.get("executor") not in EXECUTORS:
        raise PlanError("plan.executor must be one of %s, got %r" % (", ".join(EXECUTORS), plan.get("executor")))
    for key, minimum in (("tasks", 1), ("workers", 1), ("warmup", 0)):
        positive_int(plan, key, minimum)
    plan.setdefault("startupTimeoutMs", DEFAULT_STARTUP_TIMEOUT_MS)
    positive_int(plan, "startupTimeoutMs", 1)
    if plan.get("startMethod") not in (None, "spawn", "fork", "forkserver"):
        raise PlanError("plan.startMethod must be spawn, fork or forkserver, got %r" % plan.get("startMethod"))
    if not isinstance(plan.get("tmpDir"), str):
        raise PlanError("plan.tmpDir must be a string")
    if plan.get("module") is not None and not isinstance(plan.get("module"), str):
        raise PlanError("plan.module must be a string (the path of a package workload's Python twin)")
    try:
        if plan.get("module") is not None:
            register_module(plan["module"], plan.get("workload"))
        workload = check_params(plan.get("workload"), plan.get("params"))
    except ValueError as err:
        raise PlanError(str(err))
    return plan, Job(workload, plan["params"], plan["tmpDir"])


def failure_line(run, warmup, code, message, task=None):
    return {"type": "run", "run": run, "warmup": warmup, "ok": False, "code": code, "error": message, "task": task}


class Session:
    def __init__(self, channel, plan, job):
        self.channel = channel
        self.plan = plan
        self.job = job
        self.executor = EXECUTORS[plan["executor"]](plan)
        self.phase = "startup"
        self.run_index = 0
        self.state = None
        self.stopped = threading.Event()

    def heartbeat(self):
        while not self.stopped.wait(HEARTBEAT_S):
            state = self.state
            line = {"type": "progress", "phase": self.phase, "run": self.run_index, "done": 0, "oldestRunningMs": None, "oldestTask": None}
            if state is not None and self.phase == "run":
                line["done"] = state.done
                line["oldestRunningMs"], line["oldestTask"] = state.oldest_running(now_ms())
            self.channel.send(line)

    def abandon(self, why):
        """Parent gone or asked to stop: nothing may outlive us. As the leader of our own process
        group (Node spawns us detached), one SIGKILL to the group takes the pool and any helper
        process (multiprocessing's resource tracker) with us."""
        sys.stderr.write("corebench harness: %s; killing the pool and exiting\n" % why)
        self.executor.kill()
        if os.getpgrp() == os.getpid():
            os.killpg(os.getpid(), signal.SIGKILL)
        os._exit(3)

    def fail(self, err):
        warmup = self.run_index < self.plan["warmup"]
        self.channel.send(failure_line(self.run_index, warmup, err.code, str(err), err.task))
        self.executor.kill()
        os._exit(1)

    def run(self):
        die_with_parent()
        mark_children()
        watch_stdin(lambda: self.abandon("stdin closed (the parent is gone)"))
        signal.signal(signal.SIGTERM, lambda *_: self.abandon("SIGTERM"))
        threading.Thread(target=self.heartbeat, name="corebench-heartbeat", daemon=True).start()
        t0 = now_ms()
        try:
            self.executor.start(t0 + self.plan["startupTimeoutMs"])
        except TaskError as err:
            self.fail(err)
        startup_ms = now_ms() - t0
        self.channel.send({"type": "pool", "startupMs": startup_ms, "pids": self.executor.pids(),
                           "startMethod": getattr(self.executor, "start_method", None), "clockStepMs": clock_step_ms()})
        tasks, warmups = self.plan["tasks"], self.plan["warmup"]
        for k in range(warmups + 1):
            self.run_index = k
            self.state = RunState(k, tasks, self.job.workload.id, self.executor.stamps(tasks))
            self.phase = "run"
            own0 = resource.getrusage(resource.RUSAGE_SELF)
            try:
                extra = self.executor.run(self.state, self.job)
            except TaskError as err:
                self.fail(err)
            own1 = resource.getrusage(resource.RUSAGE_SELF)
            for line in self.tasks_lines(k):
                self.channel.send(line)
            self.channel.send(self.run_line(k, k < warmups, startup_ms, own0, own1, extra))
        self.phase = "shutdown"
        self.executor.close()
        self.stopped.set()
        return 0

    def tasks_lines(self, k):
        s = self.state
        for i in range(0, s.tasks, TASKS_PER_LINE):
            j = min(i + TASKS_PER_LINE, s.tasks)
            yield {"type": "tasks", "run": k, "from": i, "checksums": s.checksums[i:j],
                   "times": {"dispatchedAt": s.dispatched[i:j], "startedAt": s.started[i:j], "endedAt": s.ended[i:j],
                             "receivedAt": s.received[i:j], "runMs": s.run_ms[i:j]}}

    def run_line(self, k, warmup, startup_ms, own0, own1, extra):
        s = self.state
        line = {
            "type": "run", "run": k, "warmup": warmup, "ok": True, "tasks": s.tasks,
            "startedAt": s.first, "endedAt": s.last, "startupMs": startup_ms,
            "cpuUserMs": (own1.ru_utime - own0.ru_utime) * 1000 + extra.get("childCpuUserMs", 0),
            "cpuSystemMs": (own1.ru_stime - own0.ru_stime) * 1000 + extra.get("childCpuSystemMs", 0),
            "peakRssBytes": own1.ru_maxrss * RSS_UNIT + extra.get("childPeakRssBytes", 0),
            "bytesToWorkers": extra.get("bytesToWorkers", 0),
            "bytesFromWorkers": extra.get("bytesFromWorkers", 0),
            "serialization": self.executor.serialization,
        }
        if "shared" in extra:
            line["shared"] = extra["shared"]
        return line


def checksums_mode():
    """Parity helper: for each {workload, params, index[, async, tmpDir]} line on stdin, prints
    {"checksum": ...} or {"error": ...}; every case gets its own fresh shared counter."""
    import asyncio
    import tempfile

    for raw in sys.stdin:
        if not raw.strip():
            continue
        case = json.loads(raw)
        try:
            if case.get("module") is not None:
                register_module(case["module"], case.get("workload"))
            w = check_params(case.get("workload"), case.get("params"))
            ctx = Context(case.get("index", 0), case.get("tmpDir") or tempfile.gettempdir(), Counter())
            if case.get("async") and w.arun is not None:
                checksum = asyncio.run(w.arun(case["params"], ctx))
            else:
                checksum = w.run(case["params"], ctx)
            out = {"checksum": checksum}
        except Exception as err:  # noqa: BLE001
            out = {"error": "%s: %s" % (type(err).__name__, err)}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()
    return 0


def main(argv):
    if "--list-workloads" in argv:
        print(json.dumps(list(WORKLOADS)))
        return 0
    if "--checksums" in argv:
        return checksums_mode()
    channel = Channel()
    channel.send(hello_line(WORKLOADS))
    try:
        plan, job = parse_plan(read_plan_line())
    except PlanError as err:
        channel.send(failure_line(0, False, HARNESS_PROTOCOL, "the harness rejected its plan: %s" % err))
        return 2
    return Session(channel, plan, job).run()
