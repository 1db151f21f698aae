import { Type } from './param-types.js'
import { defineWorkload } from './types.js'

/**
 * Checksum: the exact decimal value of 0 + 1 + … + (n-1) = n(n-1)/2.
 * The measured work is the plain float loop (as in the seed's `sum(range(n))`); its result is
 * checked against the exact value so the loop cannot be dropped as dead code. Above 2^53 the float
 * sum is inexact, so there it only has to lie within the recursive-summation error bound.
 */
export default defineWorkload({
  id: 'sum-range',
  kind: 'cpu',
  description: 'Sum of the integers 0..n-1 in a tight loop.',
  params: Type.Object({
    n: Type.Integer({ default: 10_000_000, minimum: 1, maximum: 1_000_000_000, description: 'How many integers to add (0..n-1).' }),
  }, { additionalProperties: false }),
  run({ n }) {
    let sum = 0
    for (let i = 0; i < n; i++) sum += i
    const exact = (BigInt(n) * BigInt(n - 1)) / 2n
    const expected = Number(exact)
    const ok = expected <= Number.MAX_SAFE_INTEGER
      ? sum === expected
      : Math.abs(sum - expected) <= expected * n * Number.EPSILON
    if (!ok) throw new Error(`sum-range: loop gave ${sum}, expected ${exact}`)
    return { checksum: exact.toString() }
  },
})
