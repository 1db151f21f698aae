"""src/workloads/prng.ts, byte for byte: the deterministic data every workload generates."""
import struct

SEED = 2463534242
MASK = 0xFFFFFFFF


class Xorshift32:
    """x ^= x<<13; x ^= x>>17; x ^= x<<5 on 32 bits; each call returns the new state, never the seed.
    With SEED the first three outputs are 723471715, 2497366906, 2064144800."""

    def __init__(self, seed=SEED):
        self.x = seed & MASK
        if self.x == 0:
            raise ValueError("xorshift32 seed must be non-zero")

    def next(self):
        return self.take(1)[0]

    def take(self, count):
        x = self.x
        out = [0] * count
        for i in range(count):
            x ^= (x << 13) & MASK
            x ^= x >> 17
            x ^= (x << 5) & MASK
            out[i] = x
        self.x = x
        return out

    def fill(self, size):
        """prng.ts fillBytes: 4 little-endian bytes per output, a partial tail from one more output."""
        whole = size // 4
        out = bytearray()
        for start in range(0, whole, 65536):
            count = min(65536, whole - start)
            out += struct.pack("<%dI" % count, *self.take(count))
        if whole * 4 < size:
            x = self.next()
            for _ in range(size - whole * 4):
                out.append(x & 0xFF)
                x >>= 8
        return bytes(out)
