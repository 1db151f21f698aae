import { createHash } from 'node:crypto'
import { Type } from './param-types.js'
import { defineWorkload } from './types.js'
import { xorshift32 } from './prng.js'

/** Fixed vocabulary; order matters (word = VOCABULARY[next() % VOCABULARY.length]). ASCII only. */
const VOCABULARY: readonly string[] = [
  'the', 'of', 'and', 'to', 'in', 'is', 'that', 'for', 'it', 'as',
  'was', 'with', 'be', 'by', 'on', 'not', 'he', 'this', 'are', 'or',
  'his', 'from', 'at', 'which', 'but', 'have', 'an', 'had', 'they', 'you',
  'thread', 'process', 'core', 'lock', 'queue', 'worker', 'memory', 'signal', 'kernel', 'cache',
  'latency', 'throughput', 'benchmark', 'interpreter', 'parallel', 'serial', 'event', 'loop', 'isolate', 'scheduler',
]

/**
 * One xorshift32(SEED) stream for the whole task: for each of `documents` documents, draw `words`
 * words as above and join them with single spaces; then split each document on ' ' and count.
 * Checksum: sha256 hex (UTF-8) of the "word:count" lines sorted by word (plain code-point order),
 * joined by "\n" with no trailing newline.
 */
export default defineWorkload({
  id: 'text-analysis',
  kind: 'cpu',
  description: 'Word frequencies over generated documents.',
  params: Type.Object({
    documents: Type.Integer({ default: 2000, minimum: 1, maximum: 50_000, description: 'How many documents one task generates and analyses.' }),
    words: Type.Integer({ default: 200, minimum: 1, maximum: 2000, description: 'Words per document.' }),
  }, { additionalProperties: false }),
  run({ documents, words }) {
    const next = xorshift32()
    const counts = new Map<string, number>()
    const drawn = new Array<string>(words)
    for (let d = 0; d < documents; d++) {
      for (let w = 0; w < words; w++) drawn[w] = VOCABULARY[next() % VOCABULARY.length]
      for (const token of drawn.join(' ').split(' ')) counts.set(token, (counts.get(token) ?? 0) + 1)
    }
    const lines = [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([w, c]) => `${w}:${c}`)
    return { checksum: createHash('sha256').update(lines.join('\n'), 'utf8').digest('hex') }
  },
})
