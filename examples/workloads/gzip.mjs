import { createHash } from 'node:crypto'
import { promisify } from 'node:util'
import { gunzip, gzip } from 'node:zlib'

// The async zlib calls run on libuv's thread pool, off the JS thread: that is what this workload
// shows (threads and processes can scale; `async` can overlap compressions up to the pool's size,
// UV_THREADPOOL_SIZE, 4 by default).
const gzipAsync = promisify(gzip)
const gunzipAsync = promisify(gunzip)

// Everything a task runs is in this file (and its twin gzip.py): the workload's version hash covers
// exactly these two files, so a helper module shared between workloads could change unseen.
const WORDS = ['GET', 'POST', 'worker', 'thread', 'queue', 'cache', 'job', 'runner', 'ok', 'error', 'latency', 'core']

/** xorshift32 (Marsaglia 2003, shifts 13/17/5) from SEED, as corebench's built-ins use it. */
function xorshift32 (seed = 2463534242) {
  let x = seed | 0
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return x >>> 0
  }
}

/** Text of whole words (WORDS[draw % 12]) joined by single spaces, cut to exactly `bytes` bytes. */
function text (bytes) {
  const next = xorshift32()
  const words = []
  let length = -1
  while (length < bytes) {
    const w = WORDS[next() % WORDS.length]
    words.push(w)
    length += w.length + 1
  }
  return Buffer.from(words.join(' ').slice(0, bytes), 'latin1')
}

// One input per size per worker: generating it is JS work that would hide the zlib work measured.
const inputs = new Map()

/**
 * gzip `kib` KiB of generated text at `level`, then gunzip it. Checksum: sha256 hex of the round
 * trip. Not of the compressed bytes: Node bundles Chromium's zlib fork, whose output differs from
 * CPython's system zlib (80 830 vs 78 651 bytes for the same 550 KB at level 6 here); the round trip
 * is identical in both and still proves both directions ran.
 */
export default {
  id: 'examples/gzip',
  kind: 'cpu',
  description: 'gzip and gunzip generated text with node:zlib (C++ on libuv\'s thread pool, off the JS thread).',
  params: {
    type: 'object',
    properties: {
      kib: { type: 'integer', minimum: 1, maximum: 16384, default: 512, description: 'Size of the generated text in KiB.' },
      level: { type: 'integer', minimum: 1, maximum: 9, default: 6, description: 'zlib compression level.' }
    },
    additionalProperties: false
  },
  async run ({ kib, level }) {
    let input = inputs.get(kib)
    if (input === undefined) inputs.set(kib, input = text(kib * 1024))
    const packed = await gzipAsync(input, { level })
    const unpacked = await gunzipAsync(packed)
    return { checksum: createHash('sha256').update(unpacked).digest('hex') }
  }
}
