"""Python twin of gzip.mjs: same params, same checksum (see there). zlib releases the GIL on large
buffers, so Python threads scale here too. Only `zlib` and `hashlib` are imported: this file is
named gzip.py, and `import gzip` would find itself when its directory is on sys.path."""
import hashlib
import zlib

ID = 'examples/gzip'
WORDS = ['GET', 'POST', 'worker', 'thread', 'queue', 'cache', 'job', 'runner', 'ok', 'error', 'latency', 'core']
MASK = 0xFFFFFFFF
_inputs = {}


def _text(size):
    x = 2463534242
    words = []
    length = -1
    while length < size:
        x ^= (x << 13) & MASK
        x ^= x >> 17
        x ^= (x << 5) & MASK
        w = WORDS[x % len(WORDS)]
        words.append(w)
        length += len(w) + 1
    return ' '.join(words)[:size].encode('latin-1')


def run(params, task):
    kib, level = params['kib'], params['level']
    data = _inputs.get(kib)
    if data is None:
        data = _inputs[kib] = _text(kib * 1024)
    packer = zlib.compressobj(level, zlib.DEFLATED, 31)  # wbits 31: the gzip container
    packed = packer.compress(data) + packer.flush()
    unpacked = zlib.decompress(packed, 31)
    return hashlib.sha256(unpacked).hexdigest()
