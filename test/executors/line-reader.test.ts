// The line reader every stream of ours goes through (the Python harness's stdout): same lines as a
// plain split whatever the chunking, and time linear in the input even for one huge line.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { LineReader } from '../../src/executors/line-reader.js'
import { threadCpuNs } from '../../src/executors/thread-cpu.js'

function read (chunks: string[], max = Infinity): { lines: string[], tooLong: number[] } {
  const lines: string[] = []
  const tooLong: number[] = []
  const r = new LineReader(l => { lines.push(l) }, max, n => { tooLong.push(n) })
  for (const c of chunks) r.push(c)
  r.end()
  return { lines, tooLong }
}

function chunked (text: string, size: number): string[] {
  const out: string[] = []
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size))
  return out
}

test('gives the same lines as split, whatever the chunk boundaries', () => {
  const text = 'a\n\nbb\nccc\n{"x":[1,2,3]}\nlast-without-newline'
  const expected = text.split('\n')
  for (let size = 1; size <= text.length; size++) assert.deepEqual(read(chunked(text, size)).lines, expected, `chunks of ${size}`)
  assert.deepEqual(read(['x\n']).lines, ['x'], 'a terminated last line gives no empty extra line')
  assert.deepEqual(read([]).lines, [])
})

test('a line longer than the limit is reported once and never assembled; nothing after it is read', () => {
  const { lines, tooLong } = read(['ok\n', 'x'.repeat(6), 'x'.repeat(6), '\nafter\n'], 10)
  assert.deepEqual(lines, ['ok'])
  assert.equal(tooLong.length, 1)
  assert.ok((tooLong[0] as number) > 10)
  const inOne = read(['y'.repeat(11) + '\nafter\n'], 10)
  assert.deepEqual(inOne.lines, [])
  assert.deepEqual(inOne.tooLong, [11])
  assert.deepEqual(read(['z'.repeat(10) + '\n'], 10).lines, ['z'.repeat(10)], 'exactly the limit is allowed')
})

test('a line reader may stop itself from its own callback', () => {
  const lines: string[] = []
  const r: LineReader = new LineReader(l => { lines.push(l); r.stop() }, Infinity, () => {})
  r.push('one\ntwo\nthr')
  r.push('ee\n')
  r.end()
  assert.deepEqual(lines, ['one'])
})

/** Best of three, in this thread's CPU time where the platform has it: a loaded machine stretches wall time. */
function bestMs (fn: () => void): number {
  const clock = threadCpuNs() === undefined ? () => performance.now() : () => (threadCpuNs() as number) / 1e6
  let best = Infinity
  for (let i = 0; i < 3; i++) {
    const t0 = clock()
    fn()
    best = Math.min(best, clock() - t0)
  }
  return best
}

test('linear: one 20 MB line in 64 KB chunks costs about what scanning and joining those chunks once does', (t) => {
  const MB = 2 ** 20
  const chunks = chunked('x'.repeat(20 * MB) + '\n', 64 * 1024)
  let got = 0
  const reader = bestMs(() => {
    const r = new LineReader(l => { got = l.length }, 64 * MB, () => { assert.fail('too long') })
    for (const c of chunks) r.push(c)
    r.end()
  })
  // The least any reader must do: look at every character once and build the line once.
  const baseline = bestMs(() => {
    let nl = 0
    for (const c of chunks) nl += c.indexOf('\n') >= 0 ? 1 : 0
    got = nl === 1 ? chunks.join('').length - 1 : -1
  })
  assert.equal(got, 20 * MB)
  t.diagnostic(`line reader: ${reader.toFixed(1)} ms; one scan and join: ${baseline.toFixed(1)} ms`)
  // Re-scanning the unterminated tail on every chunk (the old reader) costs ~320 × 10 MB of
  // scanning and copying: seconds, ~100× the baseline.
  assert.ok(reader < 3 * baseline + 20, `the line reader took ${reader.toFixed(1)} ms for what one scan and join does in ${baseline.toFixed(1)} ms`)
})
