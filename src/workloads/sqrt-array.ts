import { Type } from './param-types.js'
import { defineWorkload } from './types.js'

/**
 * a[i] = i (like numpy.arange), then a[i] = sqrt(a[i]) in place and summed in index order.
 * sqrt and + are correctly rounded IEEE-754 double operations, so the sum is reproducible.
 * Checksum: floor(sum × 1000) in decimal.
 */
export default defineWorkload({
  id: 'sqrt-array',
  kind: 'memory',
  description: 'Math.sqrt over a Float64Array of n elements.',
  params: Type.Object({
    n: Type.Integer({ default: 1_000_000, minimum: 1, maximum: 20_000_000, description: 'Array length (8 bytes per element; 160 MB at the maximum).' }),
  }, { additionalProperties: false }),
  run({ n }) {
    const a = new Float64Array(n)
    for (let i = 0; i < n; i++) a[i] = i
    let sum = 0
    for (let i = 0; i < n; i++) {
      a[i] = Math.sqrt(a[i])
      sum += a[i]
    }
    return { checksum: String(Math.floor(sum * 1000)) }
  },
})
