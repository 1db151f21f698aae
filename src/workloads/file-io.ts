import { createHash, randomUUID } from 'node:crypto'
import { open, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Type } from './param-types.js'
import { defineWorkload } from './types.js'
import { fillBytes, xorshift32 } from './prng.js'

// Generated and read back in chunks so that memory stays at one chunk whatever `bytes` is.
// A multiple of 4 so that chunked generation equals generating the whole file at once.
const CHUNK = 1_048_576

/**
 * Writes `bytes` bytes of fillBytes(xorshift32(SEED)) to a new file in ctx.tmpDir, fsyncs, reads
 * it back and always deletes it. Checksum: sha256 hex of the bytes read back.
 */
export default defineWorkload({
  id: 'file-io',
  kind: 'io',
  description: 'Write, fsync, read back and delete a temporary file of `bytes` bytes.',
  params: Type.Object({
    bytes: Type.Integer({ default: 1_048_576, minimum: 1, maximum: 256 * 1_048_576, description: 'File size in bytes.' }),
  }, { additionalProperties: false }),
  async run({ bytes }, ctx) {
    const path = join(ctx.tmpDir, `corebench-file-io-${process.pid}-${ctx.index}-${randomUUID()}.bin`)
    const chunk = new Uint8Array(Math.min(CHUNK, bytes))
    try {
      const next = xorshift32()
      const out = await open(path, 'wx')
      try {
        for (let done = 0; done < bytes; ) {
          const len = Math.min(chunk.length, bytes - done)
          fillBytes(chunk.subarray(0, len), next)
          for (let off = 0; off < len; ) off += (await out.write(chunk, off, len - off)).bytesWritten
          done += len
        }
        await out.sync()
      } finally {
        await out.close()
      }
      const hash = createHash('sha256')
      let read = 0
      const input = await open(path, 'r')
      try {
        for (;;) {
          const { bytesRead } = await input.read(chunk, 0, chunk.length, null)
          if (bytesRead === 0) break
          hash.update(chunk.subarray(0, bytesRead))
          read += bytesRead
        }
      } finally {
        await input.close()
      }
      if (read !== bytes) throw new Error(`file-io: wrote ${bytes} bytes but read back ${read}`)
      return { checksum: hash.digest('hex') }
    } finally {
      await rm(path, { force: true })
    }
  },
})
