import { Type } from './param-types.js'
import { defineWorkload } from './types.js'

/**
 * Sieve of Eratosthenes over odd numbers only, one bit per odd number (bit i stands for 2i+1),
 * so n = 50 000 000 needs ~3 MB instead of 50 MB. Checksum: decimal count of primes p < n.
 */
function countPrimesBelow(n: number): number {
  if (n <= 2) return 0
  const size = Math.floor(n / 2)
  const composite = new Uint32Array((size + 31) >>> 5)
  composite[0] = 1 // 1 is not prime
  for (let i = 1; ; i++) {
    const p = 2 * i + 1
    if (p * p >= n) break
    if (composite[i >>> 5] & (1 << (i & 31))) continue
    for (let j = (p * p - 1) / 2; j < size; j += p) composite[j >>> 5] |= 1 << (j & 31)
  }
  let count = 1 // the prime 2
  for (let i = 0; i < size; i++) if (!(composite[i >>> 5] & (1 << (i & 31)))) count++
  return count
}

export default defineWorkload({
  id: 'primes',
  kind: 'cpu',
  description: 'Count the primes below n with a bit sieve.',
  params: Type.Object({
    n: Type.Integer({ default: 200_000, minimum: 2, maximum: 50_000_000, description: 'Upper bound (exclusive) of the primes to count.' }),
  }, { additionalProperties: false }),
  run({ n }) {
    return { checksum: String(countPrimesBelow(n)) }
  },
})
