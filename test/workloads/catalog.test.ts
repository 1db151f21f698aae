import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  describeWorkloads, getWorkload, resolveParams, workloadIds, workloads,
  type TaskContext, type Workload,
} from '../../src/workloads/index.js'
import { fillBytes, xorshift32 } from '../../src/workloads/prng.js'

// Independent reference for the portable PRNG: BigInt arithmetic instead of int32 tricks.
function referenceXorshift32(): () => bigint {
  let x = 2463534242n
  const M = 0xffffffffn
  return () => {
    x ^= (x << 13n) & M
    x ^= x >> 17n
    x ^= (x << 5n) & M
    return x
  }
}

function referenceBytes(length: number): Buffer {
  const next = referenceXorshift32()
  const out = Buffer.alloc(length)
  let x = 0n
  for (let i = 0; i < length; i++) {
    if (i % 4 === 0) x = next()
    out[i] = Number((x >> BigInt(8 * (i % 4))) & 0xffn)
  }
  return out
}

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return h.digest()
}

function must(id: string): Workload {
  const w = getWorkload(id)
  assert.ok(w, `workload ${id} is registered`)
  return w
}

async function checksum(id: string, params: Record<string, unknown>, ctx: Partial<TaskContext> = {}): Promise<string> {
  const resolved = resolveParams(id, params)
  assert.ok(resolved.ok, `params for ${id} are valid: ${JSON.stringify(resolved)}`)
  const out = await must(id).run(resolved.params, { index: 0, tmpDir: tmpdir(), ...ctx })
  assert.equal(typeof out.checksum, 'string')
  return out.checksum
}

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'corebench-workloads-test-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** A tiny stand-in for the server's delay endpoint; `/fail` answers 500. */
async function delayServer(t: { after: (fn: () => Promise<void>) => void }): Promise<{ base: string, seen: string[] }> {
  const seen: string[] = []
  const server = createServer((req, res) => {
    seen.push(req.url ?? '')
    const url = new URL(req.url ?? '/', 'http://localhost')
    const ms = Number(url.searchParams.get('ms') ?? '0')
    setTimeout(() => {
      res.writeHead(url.pathname === '/fail' ? 500 : 200, { 'content-type': 'text/plain' })
      res.end('ok')
    }, ms)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise<void>((resolve) => {
    server.closeAllConnections()
    server.close(() => resolve())
  }))
  const { port } = server.address() as AddressInfo
  return { base: `http://127.0.0.1:${port}/delay`, seen }
}

// Tiny parameters per workload; the first test fails when a registered workload is missing here.
const SMALL: Record<string, Record<string, unknown>> = {
  'fibonacci': { n: 15, repeat: 2 },
  'sum-range': { n: 1000 },
  'primes': { n: 1000 },
  'matmul': { n: 8 },
  'hash': { bytes: 1000, rounds: 2 },
  'text-analysis': { documents: 5, words: 20 },
  'json-roundtrip': { items: 20, rounds: 2 },
  'sqrt-array': { n: 1000 },
  'sleep': { ms: 1 },
  'file-io': { bytes: 4096 },
  'http-get': { delayMs: 1 },
  'shared-counter': { n: 1000, atomic: true },
}

test('the registry lists every workload once, with the expected ids', () => {
  assert.deepEqual([...workloadIds].sort(), [
    'fibonacci', 'file-io', 'hash', 'http-get', 'json-roundtrip', 'matmul', 'primes', 'shared-counter',
    'sleep', 'sqrt-array', 'sum-range', 'text-analysis',
  ])
  assert.equal(workloads.size, workloadIds.length)
  assert.deepEqual(Object.keys(SMALL).sort(), [...workloadIds].sort())
  assert.equal(getWorkload('nope'), undefined)
  assert.equal(must('shared-counter').sharedMemory, true)
  assert.equal(must('http-get').kind, 'io')
})

test('every parameter has a default, a description and hard bounds', () => {
  for (const w of workloads.values()) {
    assert.equal(w.params.type, 'object')
    assert.equal(w.params.additionalProperties, false, `${w.id} forbids unknown params`)
    assert.ok(w.description.length > 0 && !w.description.includes('\n'), `${w.id} has a one-line description`)
    for (const [key, prop] of Object.entries(w.params.properties)) {
      const where = `${w.id}.${key}`
      assert.ok('default' in prop, `${where} has a default`)
      assert.ok(typeof prop.description === 'string' && prop.description.length > 0, `${where} has a description`)
      if (prop.type === 'integer' || prop.type === 'number') {
        assert.equal(typeof prop.minimum, 'number', `${where} has a minimum`)
        assert.equal(typeof prop.maximum, 'number', `${where} has a maximum`)
        assert.ok(prop.minimum <= prop.default && prop.default <= prop.maximum, `${where} default within bounds`)
        assert.equal(prop.type, 'integer', `${where} is integral`)
      } else {
        assert.equal(prop.type, 'boolean', `${where} is a bounded type`)
      }
    }
  }
})

test('describeWorkloads publishes plain schemas and the default params', () => {
  const described = describeWorkloads()
  assert.deepEqual(described.map((d) => d.id), [...workloadIds])
  for (const d of described) {
    const resolved = resolveParams(d.id, {})
    assert.ok(resolved.ok)
    assert.deepEqual(d.defaults, resolved.params)
    assert.equal(d.sharedMemory, d.id === 'shared-counter')
    assert.equal('required' in d.params, false, 'every param may be omitted')
    assert.deepEqual(JSON.parse(JSON.stringify(d)), d, 'JSON-safe')
  }
  assert.deepEqual(described.find((d) => d.id === 'fibonacci')?.defaults, { n: 30, repeat: 1 })
})

test('every workload runs with tiny params and gives the same checksum twice', async (t) => {
  const dir = await tempDir(t)
  const { base } = await delayServer(t)
  for (const id of workloadIds) {
    const ctx = { tmpDir: dir, httpBase: base, shared: new Int32Array(new SharedArrayBuffer(4)) }
    const first = await checksum(id, SMALL[id], ctx)
    const second = await checksum(id, SMALL[id], ctx)
    assert.equal(second, first, `${id} is deterministic`)
    assert.ok(first.length > 0)
  }
})

test('xorshift32 matches the reference and the documented first outputs', () => {
  const ours = xorshift32()
  const ref = referenceXorshift32()
  const firstThree = [ours(), ours(), ours()]
  assert.deepEqual(firstThree, [723471715, 2497366906, 2064144800])
  assert.deepEqual(firstThree.map(BigInt), [ref(), ref(), ref()])
  for (let i = 0; i < 10_000; i++) assert.equal(BigInt(ours()), ref())
  for (const len of [0, 1, 3, 4, 5, 13]) {
    assert.deepEqual(Buffer.from(fillBytes(new Uint8Array(len), xorshift32())), referenceBytes(len), `fillBytes(${len})`)
  }
})

test('fibonacci known values', async () => {
  assert.equal(await checksum('fibonacci', { n: 20 }), '6765')
  assert.equal(await checksum('fibonacci', { n: 20, repeat: 3 }), String(6765 * 3))
  assert.equal(await checksum('fibonacci', { n: 1 }), '1')
  assert.equal(await checksum('fibonacci', { n: 2 }), '1')
  assert.equal(await checksum('fibonacci', { n: 30 }), '832040')
})

test('sum-range is exact, also beyond 2^53', async () => {
  assert.equal(await checksum('sum-range', { n: 1 }), '0')
  assert.equal(await checksum('sum-range', { n: 10 }), '45')
  assert.equal(await checksum('sum-range', { n: 100_000_000 }), '4999999950000000')
  // 2^27 + 1 terms: the float loop is no longer exact here, the checksum must still be.
  const n = 134_217_729
  assert.equal(await checksum('sum-range', { n }), ((BigInt(n) * BigInt(n - 1)) / 2n).toString())
})

test('primes agrees with trial division and known counts', async () => {
  const isPrime = (k: number): boolean => {
    if (k < 2) return false
    for (let d = 2; d * d <= k; d++) if (k % d === 0) return false
    return true
  }
  let count = 0
  for (let n = 2; n <= 400; n++) {
    assert.equal(await checksum('primes', { n }), String(count), `primes below ${n}`)
    if (isPrime(n)) count++
  }
  assert.equal(await checksum('primes', { n: 100 }), '25')
  assert.equal(await checksum('primes', { n: 1_000_000 }), '78498')
})

test('hash is a SHA-256 chain over the generated bytes', async () => {
  for (const [bytes, rounds] of [[10, 1], [10, 3], [4099, 2]]) {
    const data = referenceBytes(bytes)
    let digest = sha256(data)
    for (let r = 1; r < rounds; r++) digest = sha256(digest, data)
    assert.equal(await checksum('hash', { bytes, rounds }), digest.toString('hex'), `bytes=${bytes} rounds=${rounds}`)
  }
})

test('matmul matches a naive multiply of the same generated matrices', async () => {
  const n = 6
  const next = referenceXorshift32()
  const a = Array.from({ length: n * n }, () => Number(next() % 17n) - 8)
  const b = Array.from({ length: n * n }, () => Number(next() % 17n) - 8)
  let expected = 0
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let c = 0
      for (let k = 0; k < n; k++) c += a[i * n + k] * b[k * n + j]
      expected += c * (((i * n + j) % 13) + 1)
    }
  }
  assert.equal(await checksum('matmul', { n }), String(expected))
})

test('text-analysis golden checksum (the cross-language contract)', async () => {
  // Reproduced independently by a Python port of the documented algorithm.
  assert.equal(await checksum('text-analysis', { documents: 50, words: 37 }),
    'e6606ad8495908c7942515530cfca547d58be3e4cc3bc148b32fa32c8986d0ae')
  const one = await checksum('text-analysis', { documents: 1, words: 1 })
  // The first output 723471715 % 50 = 15 picks the 16th vocabulary word.
  assert.equal(one, createHash('sha256').update('not:1').digest('hex'))
})

test('json-roundtrip, sqrt-array and sleep known values', async () => {
  const items = [
    { id: 0, name: 'item-0', active: true, score: 0, tags: ['t0', 't0'], meta: { created: 1700000000, owner: 'user-0' } },
    { id: 1, name: 'item-1', active: false, score: 7919, tags: ['t1', 't1'], meta: { created: 1700000001, owner: 'user-1' } },
  ]
  const length = JSON.stringify({ version: 1, items }).length
  assert.equal(await checksum('json-roundtrip', { items: 2, rounds: 3 }), `${(0 + 0 + 1700000000 + 2 + 1) + (1 + 7919 + 1700000001 + 2)}:${length}`)
  assert.equal(await checksum('sqrt-array', { n: 5 }), String(Math.floor((0 + 1 + Math.SQRT2 + Math.sqrt(3) + 2) * 1000)))
  const started = performance.now()
  assert.equal(await checksum('sleep', { ms: 30 }), '30')
  assert.ok(performance.now() - started >= 25, 'sleep actually waits')
})

test('shared-counter adds n on one thread, atomic or not, and needs shared memory', async () => {
  const shared = new Int32Array(new SharedArrayBuffer(4))
  assert.equal(await checksum('shared-counter', { n: 5000, atomic: true }, { shared }), '5000')
  assert.equal(shared[0], 5000)
  assert.equal(await checksum('shared-counter', { n: 7000, atomic: false }, { shared }), '7000')
  assert.equal(shared[0], 12_000)
  await assert.rejects(async () => must('shared-counter').run({ n: 1, atomic: true }, { index: 0, tmpDir: tmpdir() }),
    /shared-counter: no shared memory/)
})

test('file-io checksums what it wrote and leaves no file behind', async (t) => {
  const dir = await tempDir(t)
  for (const bytes of [1, 4099, 1_048_576 + 6]) {
    assert.equal(await checksum('file-io', { bytes }, { tmpDir: dir }), sha256(referenceBytes(bytes)).toString('hex'), `bytes=${bytes}`)
    assert.deepEqual(await readdir(dir), [])
  }
  // Several tasks at once in one directory must not collide.
  const all = await Promise.all([0, 1, 2, 3].map((index) => must('file-io').run({ bytes: 1000 }, { index, tmpDir: dir })))
  assert.equal(new Set(all.map((o) => o.checksum)).size, 1)
  assert.deepEqual(await readdir(dir), [])
  await assert.rejects(async () => must('file-io').run({ bytes: 10 }, { index: 0, tmpDir: join(dir, 'missing') }), /ENOENT/)
})

test('http-get fetches the delay endpoint and fails clearly', async (t) => {
  const { base, seen } = await delayServer(t)
  const started = performance.now()
  assert.equal(await checksum('http-get', { delayMs: 40 }, { httpBase: base }), '200:40')
  assert.ok(performance.now() - started >= 35, 'waits for the endpoint')
  assert.deepEqual(seen, ['/delay?ms=40'])
  await assert.rejects(async () => must('http-get').run({ delayMs: 1 }, { index: 0, tmpDir: tmpdir() }), /http-get: no httpBase/)
  await assert.rejects(async () => must('http-get').run({ delayMs: 1 }, { index: 0, tmpDir: tmpdir(), httpBase: base.replace('/delay', '/fail') }),
    /answered 500, expected 200/)
  await assert.rejects(async () => must('http-get').run({ delayMs: 1 }, { index: 0, tmpDir: tmpdir(), httpBase: 'not a url' }),
    /not a valid URL/)
})

test('resolveParams fills defaults without coercing', () => {
  assert.deepEqual(resolveParams('fibonacci', {}), { ok: true, params: { n: 30, repeat: 1 } })
  assert.deepEqual(resolveParams('fibonacci', undefined), { ok: true, params: { n: 30, repeat: 1 } })
  assert.deepEqual(resolveParams('fibonacci', { n: 12 }), { ok: true, params: { n: 12, repeat: 1 } })
  assert.deepEqual(resolveParams('shared-counter', { atomic: true }), { ok: true, params: { n: 1_000_000, atomic: true } })
  const input = { n: 12 }
  resolveParams('fibonacci', input)
  assert.deepEqual(input, { n: 12 }, 'the caller\'s object is not modified')
})

test('resolveParams names the field, the value and the limit', () => {
  const errors = (id: string, params: unknown): Array<{ path: string, message: string, value?: unknown, limit?: number }> => {
    const r = resolveParams(id, params)
    assert.equal(r.ok, false, `${id} ${JSON.stringify(params)} is rejected`)
    return r.ok ? [] : r.errors
  }
  assert.deepEqual(errors('fibonacci', { n: 45 }), [{ path: 'params.n', message: 'params.n: 45 is above the maximum 40', value: 45, limit: 40 }])
  assert.deepEqual(errors('fibonacci', { repeat: 0 }), [{ path: 'params.repeat', message: 'params.repeat: 0 is below the minimum 1', value: 0, limit: 1 }])
  assert.deepEqual(errors('fibonacci', { n: '30' }), [{ path: 'params.n', message: 'params.n: expected integer, got "30"', value: '30' }])
  assert.deepEqual(errors('fibonacci', { n: 30.5 }), [{ path: 'params.n', message: 'params.n: expected integer, got 30.5', value: 30.5 }])
  assert.deepEqual(errors('shared-counter', { atomic: 'true' }), [{ path: 'params.atomic', message: 'params.atomic: expected boolean, got "true"', value: 'true' }])
  const unknown = errors('fibonacci', { foo: 1 })
  assert.equal(unknown.length, 1)
  assert.equal(unknown[0].path, 'params.foo')
  assert.match(unknown[0].message, /^params\.foo: unknown parameter/)
  assert.deepEqual(errors('fibonacci', { n: 0, foo: 1, repeat: 'x' }).map((e) => e.path).sort(), ['params.foo', 'params.n', 'params.repeat'])
  assert.deepEqual(errors('sum-range', { n: 2_000_000_000 }), [{ path: 'params.n', message: 'params.n: 2000000000 is above the maximum 1000000000', value: 2_000_000_000, limit: 1_000_000_000 }])
  const bad = errors('nope', {})
  assert.equal(bad[0].path, 'workload.id')
  assert.match(bad[0].message, /unknown workload "nope"/)
  assert.deepEqual(errors('fibonacci', [1]), [{ path: 'params', message: 'params: expected an object, got [1]' }])
  assert.deepEqual(errors('fibonacci', null), [{ path: 'params', message: 'params: expected an object, got null' }])
  assert.ok(errors('fibonacci', { n: 'x'.repeat(10_000) })[0].message.length < 200, 'long values are truncated')
})
