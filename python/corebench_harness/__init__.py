"""corebench's Python runtime: runs one fork of a corebench job (a pool, warm-up runs, one measured
run) under CPython and reports it as JSON lines, so that Python's executors can be measured beside
Node's. Standard library only; Python 3.8 or newer.

Run it as a package from the repository's ``python/`` directory (Node sets both ``cwd`` and
``PYTHONPATH`` to that directory)::

    python3 -m corebench_harness                  # one fork: plan on stdin, JSON lines on stdout
    python3 -m corebench_harness --list-workloads # the workload ids this harness implements
    python3 -m corebench_harness --checksums      # {workload, params, index} lines in, checksums out

The protocol is described in ``protocol.py``; ``src/runtimes/python/`` is the Node side.
"""

PROTOCOL_VERSION = 2
