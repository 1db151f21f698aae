"""Dying with the parent: no process of ours may outlive the one that started it (issue 15 §2).

A harness whose Node parent was SIGKILLed, or a pool child whose harness was, must not go on
burning a core beside the next measurement. Two means, either enough:

- ``PR_SET_PDEATHSIG`` (Linux, through ctypes): the kernel sends SIGKILL when the parent dies,
  whatever this process is doing, even inside a C call that holds the GIL;
- a daemon thread that compares ``os.getppid()`` with the parent we started with every 100 ms (a
  dead parent's children are re-parented), for platforms without prctl. Under the GIL it gets its
  turn within the switch interval (5 ms) of pure-Python work.

``PARENT_ENV`` marks every process we start with the pid of its owner, so that a later corebench
can recognise leftovers of a dead one (src/executors/leftovers.ts).
"""
import os
import signal
import sys
import threading
import time

PARENT_ENV = "COREBENCH_PARENT_PID"
POLL_S = 0.1
PR_SET_PDEATHSIG = 1


def _pdeathsig():
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def die_with_parent():
    """A parent that died before this call is not seen here; the next corebench reaps such a
    process through ``PARENT_ENV``."""
    parent = os.getppid()
    _pdeathsig()

    def watch():
        while True:
            time.sleep(POLL_S)
            if os.getppid() != parent:
                os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="corebench-lifeline", daemon=True).start()


def mark_children():
    """Children started from now on name this process as their owner."""
    os.environ[PARENT_ENV] = str(os.getpid())
