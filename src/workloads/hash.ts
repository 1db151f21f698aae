import { createHash } from 'node:crypto'
import { Type } from './param-types.js'
import { defineWorkload } from './types.js'
import { fillBytes, xorshift32 } from './prng.js'

/**
 * data = `bytes` bytes from fillBytes(xorshift32(SEED)) (see prng.ts).
 * d1 = sha256(data); d(r+1) = sha256(d(r) || data), where d(r) is the 32-byte raw digest.
 * Checksum: lowercase hex of d(rounds). Every round hashes the whole buffer, so work = bytes × rounds.
 */
export default defineWorkload({
  id: 'hash',
  kind: 'cpu',
  description: 'SHA-256 over a generated buffer, chained `rounds` times.',
  params: Type.Object({
    bytes: Type.Integer({ default: 1_048_576, minimum: 1, maximum: 64 * 1_048_576, description: 'Size of the generated buffer in bytes.' }),
    rounds: Type.Integer({ default: 8, minimum: 1, maximum: 1000, description: 'How many chained SHA-256 passes over the buffer.' }),
  }, { additionalProperties: false }),
  run({ bytes, rounds }) {
    const data = fillBytes(new Uint8Array(bytes), xorshift32())
    let digest: Buffer | undefined
    for (let r = 0; r < rounds; r++) {
      const h = createHash('sha256')
      if (digest) h.update(digest)
      digest = h.update(data).digest()
    }
    return { checksum: digest!.toString('hex') }
  },
})
