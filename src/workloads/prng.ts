/**
 * Deterministic data for workloads. Everything here must stay portable (a Python reimplementation
 * must reproduce the same bytes), so the algorithms are spelled out exactly.
 *
 * xorshift32 (Marsaglia 2003, shifts 13/17/5) on an unsigned 32-bit state, all operations mod 2^32:
 *   x ^= (x << 13) & 0xFFFFFFFF;  x ^= x >> 17;  x ^= (x << 5) & 0xFFFFFFFF;  return x
 * Each call advances the state once and returns the new state (so the seed itself is never returned).
 * With SEED = 2463534242 the first three outputs are 723471715, 2497366906, 2064144800.
 */
export const SEED = 2463534242

export type Prng = () => number

export function xorshift32(seed: number = SEED): Prng {
  let x = seed | 0
  if (x === 0) throw new Error('xorshift32 seed must be non-zero')
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return x >>> 0
  }
}

/**
 * Fills `buf` from `next`: each output is written as 4 little-endian bytes; a trailing partial word
 * takes the low-order bytes of one more output. Filling consecutive chunks whose lengths are
 * multiples of 4 from the same generator yields the same bytes as filling one large buffer.
 */
export function fillBytes(buf: Uint8Array, next: Prng): Uint8Array {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  const whole = buf.byteLength & ~3
  for (let i = 0; i < whole; i += 4) view.setUint32(i, next(), true)
  if (whole < buf.byteLength) {
    let x = next()
    for (let i = whole; i < buf.byteLength; i++, x >>>= 8) buf[i] = x & 0xff
  }
  return buf
}
