"""Python ports of the Node workloads in src/workloads/. Every task checksum must equal the Node
workload's ``run(params, ctx).checksum`` byte for byte (test/runtimes/python-parity.test.ts).

CPU work is plain Python (loops, recursion), so it holds the GIL the way the seed experiments do.
Only where the Node version itself calls native code (SHA-256, JSON, file system) does this call
the standard library's C equivalent. Parameters arrive already validated and defaulted by Node
(``resolveParams``); ``check_params`` only guards names and types.
"""
import asyncio
import hashlib
import importlib.util
import json
import math
import os
import threading
import time
import uuid
from array import array

from corebench_harness.prng import Xorshift32


class Counter:
    """The shared-counter memory: one object for every task of one memory space."""

    def __init__(self):
        self.value = 0
        self.lock = threading.Lock()


class Context:
    def __init__(self, index, tmp_dir, counter=None):
        self.index = index
        self.tmp_dir = tmp_dir
        self.counter = counter


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def fibonacci(p, ctx):
    total = 0
    for _ in range(p["repeat"]):
        total += fib(p["n"])
    return str(total)


def sum_range(p, ctx):
    n = p["n"]
    total = 0
    for i in range(n):
        total += i
    if total != n * (n - 1) // 2:
        raise ArithmeticError("sum-range: loop gave %d, expected %d" % (total, n * (n - 1) // 2))
    return str(total)


def primes(p, ctx):
    n = p["n"]
    if n <= 2:
        return "0"
    size = n // 2  # slot i stands for the odd number 2i+1, as in primes.ts
    composite = bytearray(size)
    composite[0] = 1
    i = 1
    while (2 * i + 1) * (2 * i + 1) < n:
        if not composite[i]:
            step = 2 * i + 1
            for j in range((step * step - 1) // 2, size, step):
                composite[j] = 1
        i += 1
    count = 1  # the prime 2
    for flag in composite:
        if not flag:
            count += 1
    return str(count)


def js_integer(value):
    """String(value) in JavaScript for an integer-valued double below 1e21 (what these sums are)."""
    if not (value == math.floor(value) and abs(value) < 1e21):
        raise ArithmeticError("expected an integer-valued double, got %r" % value)
    return str(int(value))


def matmul(p, ctx):
    n = p["n"]
    rng = Xorshift32()
    a = [float((v % 17) - 8) for v in rng.take(n * n)]
    b = [float((v % 17) - 8) for v in rng.take(n * n)]
    c = [0.0] * (n * n)
    for i in range(n):  # i-k-j order, as matmul.ts
        row = i * n
        for k in range(n):
            aik = a[row + k]
            brow = k * n
            for j in range(n):
                c[row + j] += aik * b[brow + j]
    checksum = 0.0
    for k in range(n * n):
        checksum += c[k] * ((k % 13) + 1)
    return js_integer(checksum)


def hash_(p, ctx):
    data = Xorshift32().fill(p["bytes"])
    digest = None
    for _ in range(p["rounds"]):
        h = hashlib.sha256()
        if digest is not None:
            h.update(digest)
        h.update(data)
        digest = h.digest()
    return digest.hex()


VOCABULARY = (
    "the of and to in is that for it as was with be by on not he this are or "
    "his from at which but have an had they you "
    "thread process core lock queue worker memory signal kernel cache "
    "latency throughput benchmark interpreter parallel serial event loop isolate scheduler"
).split(" ")


def text_analysis(p, ctx):
    rng = Xorshift32()
    vocab = VOCABULARY
    size = len(vocab)
    counts = {}
    for _ in range(p["documents"]):
        drawn = [vocab[v % size] for v in rng.take(p["words"])]
        for token in " ".join(drawn).split(" "):
            counts[token] = counts.get(token, 0) + 1
    lines = "\n".join("%s:%d" % item for item in sorted(counts.items()))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def json_roundtrip(p, ctx):
    items = []
    for i in range(p["items"]):  # key order is JSON.stringify's: insertion order
        items.append({
            "id": i, "name": "item-%d" % i, "active": i % 3 == 0, "score": (i * 7919) % 10007,
            "tags": ["t%d" % (i % 7), "t%d" % (i % 11)],
            "meta": {"created": 1700000000 + i, "owner": "user-%d" % (i % 97)},
        })
    doc = {"version": 1, "items": items}
    length = 0
    for _ in range(p["rounds"]):
        text = json.dumps(doc, separators=(",", ":"))
        length = len(text)
        doc = json.loads(text)
    total = 0
    for it in doc["items"]:
        total += it["id"] + it["score"] + it["meta"]["created"] + len(it["tags"]) + (1 if it["active"] else 0)
    return "%d:%d" % (total, length)


def sqrt_array(p, ctx):
    n = p["n"]
    a = array("d", bytes(8 * n))
    for i in range(n):
        a[i] = i
    total = 0.0
    sqrt = math.sqrt
    for i in range(n):
        a[i] = sqrt(a[i])
        total += a[i]
    return str(math.floor(total * 1000))


def sleep(p, ctx):
    time.sleep(p["ms"] / 1000)
    return str(p["ms"])


async def sleep_async(p, ctx):
    await asyncio.sleep(p["ms"] / 1000)
    return str(p["ms"])


def shared_counter(p, ctx):
    counter = ctx.counter
    if counter is None:
        raise RuntimeError("shared-counter: no counter in the task context")
    n = p["n"]
    if p["atomic"]:
        lock = counter.lock
        for _ in range(n):
            with lock:
                counter.value += 1
    else:
        for _ in range(n):
            counter.value += 1  # the seed's racy read-modify-write
    return str(n)


FILE_CHUNK = 1048576


def _file_path(ctx):
    return os.path.join(ctx.tmp_dir, "corebench-file-io-%d-%d-%s.bin" % (os.getpid(), ctx.index, uuid.uuid4()))


async def file_io_async(p, ctx, blocking=None):
    """file-io.ts: write, fsync, read back (sha256), always delete. Under ``async`` every file system
    call goes to the loop's thread pool, as Node's fs promises go to libuv's; ``blocking`` runs them
    inline instead (the sync executors)."""
    call = blocking or (lambda fn, *args: asyncio.get_running_loop().run_in_executor(None, fn, *args))
    size = p["bytes"]
    path = _file_path(ctx)
    rng = Xorshift32()
    try:
        fd = await call(os.open, path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            done = 0
            while done < size:
                chunk = memoryview(rng.fill(min(FILE_CHUNK, size - done)))
                while chunk:
                    chunk = chunk[await call(os.write, fd, chunk):]
                done += min(FILE_CHUNK, size - done)
            await call(os.fsync, fd)
        finally:
            await call(os.close, fd)
        digest = hashlib.sha256()
        read = 0
        fd = await call(os.open, path, os.O_RDONLY)
        try:
            while True:
                block = await call(os.read, fd, FILE_CHUNK)
                if not block:
                    break
                digest.update(block)
                read += len(block)
        finally:
            await call(os.close, fd)
        if read != size:
            raise IOError("file-io: wrote %d bytes but read back %d" % (size, read))
        return digest.hexdigest()
    finally:
        try:
            os.remove(path)
        except FileNotFoundError:
            pass


async def _inline(fn, *args):
    return fn(*args)


def file_io(p, ctx):
    coro = file_io_async(p, ctx, blocking=_inline)
    try:  # nothing in it really suspends, so one send runs it to the end without an event loop
        coro.send(None)
    except StopIteration as done:
        return done.value
    coro.close()
    raise RuntimeError("file-io: the blocking variant suspended")


class Workload:
    def __init__(self, id, params, run, arun=None, shared=False):
        self.id = id
        self.params = params  # name -> int | bool; None for a package workload (Node checked them)
        self.run = run
        self.arun = arun
        self.shared = shared


WORKLOADS = {w.id: w for w in (
    Workload("fibonacci", {"n": int, "repeat": int}, fibonacci),
    Workload("sum-range", {"n": int}, sum_range),
    Workload("primes", {"n": int}, primes),
    Workload("matmul", {"n": int}, matmul),
    Workload("hash", {"bytes": int, "rounds": int}, hash_),
    Workload("text-analysis", {"documents": int, "words": int}, text_analysis),
    Workload("json-roundtrip", {"items": int, "rounds": int}, json_roundtrip),
    Workload("sqrt-array", {"n": int}, sqrt_array),
    Workload("sleep", {"ms": int}, sleep, arun=sleep_async),
    Workload("file-io", {"bytes": int}, file_io, arun=file_io_async),
    Workload("shared-counter", {"n": int, "atomic": bool}, shared_counter, shared=True),
)}


def register_module(path, workload_id):
    """Imports the Python twin of a package workload (src/workloads/packages) from ``path``, the file
    its runner resolved and checked, and registers it as ``workload_id``. The module defines
    ``ID = '<owner/name>'`` and ``run(params, task)`` returning the checksum string; ``task`` has
    ``index`` and ``tmp_dir`` as the built-ins' Context. Raises ValueError naming what is wrong."""
    known = WORKLOADS.get(workload_id)
    if known is not None and getattr(known, "path", None) == path:
        return known
    spec = importlib.util.spec_from_file_location("corebench_workload_%d" % len(WORKLOADS), path)
    if spec is None or spec.loader is None:
        raise ValueError("cannot load a Python module from %s" % path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as err:  # noqa: BLE001 - the message names the file and the error
        raise ValueError("%s throws on import: %s: %s" % (path, type(err).__name__, err))
    if getattr(module, "ID", None) != workload_id:
        raise ValueError("%s defines ID %r, the plan names %r" % (path, getattr(module, "ID", None), workload_id))
    if not callable(getattr(module, "run", None)):
        raise ValueError("%s has no run(params, task) function" % path)
    w = Workload(workload_id, None, module.run)
    w.path = path
    WORKLOADS[workload_id] = w
    return w


def check_params(workload_id, params):
    """Returns the Workload, or raises ValueError naming what is wrong."""
    w = WORKLOADS.get(workload_id)
    if w is None:
        raise ValueError("unknown workload %r; this harness has %s" % (workload_id, ", ".join(WORKLOADS)))
    if w.params is None:
        # A package workload: Node validated its params against the package's own JSON Schema.
        if not isinstance(params, dict):
            raise ValueError("params of %s must be an object, got %r" % (workload_id, params))
        return w
    if not isinstance(params, dict) or set(params) != set(w.params):
        raise ValueError("params of %s must be exactly %s, got %r" % (workload_id, sorted(w.params), params))
    for name, kind in w.params.items():
        value = params[name]
        if isinstance(value, bool) != (kind is bool) or not isinstance(value, kind) or (kind is int and value < 0):
            raise ValueError("params.%s must be a %s, got %r" % (name, "boolean" if kind is bool else "non-negative integer", value))
    return w
