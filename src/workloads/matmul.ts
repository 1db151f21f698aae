import { Type } from './param-types.js'
import { defineWorkload } from './types.js'
import { xorshift32 } from './prng.js'

/**
 * A then B (row-major) are filled from one xorshift32 stream with (next() % 17) - 8. Integer entries
 * in [-8, 8] keep every product and partial sum an exact float64 integer, so the checksum does not
 * depend on summation order or platform: Σ C[k] × (k % 13 + 1) over the row-major index k, in decimal
 * (the weights make transposed or permuted results show up).
 */
export default defineWorkload({
  id: 'matmul',
  kind: 'cpu',
  description: 'Dense n×n Float64 matrix multiply of generated matrices.',
  params: Type.Object({
    n: Type.Integer({ default: 128, minimum: 1, maximum: 768, description: 'Matrix dimension (work grows with n³).' }),
  }, { additionalProperties: false }),
  run({ n }) {
    const next = xorshift32()
    const a = new Float64Array(n * n)
    const b = new Float64Array(n * n)
    for (let k = 0; k < a.length; k++) a[k] = (next() % 17) - 8
    for (let k = 0; k < b.length; k++) b[k] = (next() % 17) - 8
    const c = new Float64Array(n * n)
    // i-k-j order walks B and C row by row, which is what makes this cache-friendly.
    for (let i = 0; i < n; i++) {
      const row = i * n
      for (let k = 0; k < n; k++) {
        const aik = a[row + k]
        const bRow = k * n
        for (let j = 0; j < n; j++) c[row + j] += aik * b[bRow + j]
      }
    }
    let checksum = 0
    for (let k = 0; k < c.length; k++) checksum += c[k] * ((k % 13) + 1)
    return { checksum: String(checksum) }
  },
})
