// Issue 17: the API's catalog is the built-ins plus what registered runners published, read from their
// machine claims (no workload code imported); params of a package workload are checked against the
// JSON Schema its runners published, with the built-ins' 400 details; a version pin must be one a
// registered runner has.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import type { WorkloadDescription } from '../../src/schemas/workload.js'
import type { MachineClaim } from '../../src/store/types.js'
import { version as corebenchVersion } from '../../src/version.js'
import { runnerQueue } from '../../src/jobs/routing.js'
import { build } from '../helpers/app.js'

const gzip = (version: string): WorkloadDescription => ({
  id: 'examples/gzip',
  kind: 'cpu',
  description: 'gzip and gunzip generated text',
  params: { type: 'object', properties: { kib: { type: 'integer', minimum: 1, maximum: 16384, default: 512 }, level: { type: 'integer', minimum: 1, maximum: 9, default: 6 } }, additionalProperties: false },
  defaults: { kib: 512, level: 6 },
  sharedMemory: false,
  version,
  source: './bench-workloads',
  deterministic: true,
  runtimes: ['node', 'python']
})

/** A runner's registration as a runner process writes it, started `ageMs` ago. */
async function register (app: FastifyInstance, name: string, loaded: WorkloadDescription[], opts: { runtimes?: string[], unavailable?: MachineClaim['workloads']['unavailable'], ageMs?: number, released?: boolean } = {}): Promise<void> {
  const at = new Date(Date.now() - (opts.ageMs ?? 0))
  const claim: MachineClaim = { machineId: `m_${name}`, runnerId: `r_${name}`, name, pid: 1, hostId: app.host.id, labels: [], runtimes: opts.runtimes ?? ['node'], workloads: { loaded, unavailable: opts.unavailable ?? [] }, startedAt: at, heartbeatAt: new Date(), releasedAt: null }
  assert.deepEqual(await app.store.claimMachine(claim, () => false), { ok: true })
  if (opts.released === true) await app.store.releaseMachine(claim.machineId, claim.runnerId)
}

const post = async (app: FastifyInstance, body: unknown) => await app.inject({ method: 'POST', url: '/api/jobs', payload: body as object })
const spec = (workload: Record<string, unknown>, more: Record<string, unknown> = {}) => ({ workload, tasks: 4, executors: ['serialized'], repetitions: 1, ...more })

test('GET /api/workloads: built-ins with source and version, package workloads with the runners that have them, unavailable ones with the reason', async (t) => {
  const { app } = await build(t, {}, { runner: 'off' })
  await register(app, 'lab-old', [gzip('1.0.0+aaaaaaaaaaaa')], { ageMs: 5000, runtimes: ['node', 'python'] })
  await register(app, 'lab-new', [gzip('1.1.0+bbbbbbbbbbbb')], { unavailable: [{ source: './bench-workloads', file: '/srv/bench-workloads/broken.mjs', id: 'acme/broken', reason: '/srv/bench-workloads/broken.mjs: run is missing (a function run(params, task))' }] })
  await register(app, 'lab-gone', [{ ...gzip('0.9.0+cccccccccccc'), id: 'acme/gone' }], { released: true })

  const list = (await app.inject('/api/workloads')).json() as Array<Record<string, any>>
  const byId = new Map(list.map(w => [w.id, w]))
  const fib = byId.get('fibonacci')
  assert.equal(fib?.source, 'builtin')
  assert.equal(fib?.version, corebenchVersion)
  assert.deepEqual(fib?.runners, [])

  const g = byId.get('examples/gzip')
  assert.ok(g !== undefined, 'a workload a live runner published is listed')
  assert.equal(g.source, './bench-workloads')
  assert.equal(g.version, '1.1.0+bbbbbbbbbbbb', 'the newest runner\'s version')
  assert.deepEqual(g.versions.sort(), ['1.0.0+aaaaaaaaaaaa', '1.1.0+bbbbbbbbbbbb'])
  assert.deepEqual(g.runners.map((r: { name: string, version: string }) => `${r.name}@${r.version}`).sort(), ['lab-new@1.1.0+bbbbbbbbbbbb', 'lab-old@1.0.0+aaaaaaaaaaaa'])
  assert.equal(g.available, true)
  assert.deepEqual(g.defaults, { kib: 512, level: 6 })

  const broken = byId.get('acme/broken')
  assert.equal(broken?.available, false)
  assert.equal(broken?.reason, 'lab-new: /srv/bench-workloads/broken.mjs: run is missing (a function run(params, task))')
  assert.equal(byId.has('acme/gone'), false, 'a released runner\'s workloads are gone from the catalog')
})

test('POST /api/jobs with a package workload: params checked against the published schema with the built-ins\' 400 details; defaults filled', async (t) => {
  const { app } = await build(t, {}, { runner: 'off' })
  await register(app, 'lab', [gzip('1.0.0+aaaaaaaaaaaa')])

  const above = await post(app, spec({ id: 'examples/gzip', params: { kib: 999999 } }))
  assert.equal(above.statusCode, 400)
  assert.deepEqual(above.json().details, [{ field: 'workload.params.kib', value: 999999, limit: 16384, message: 'params.kib: 999999 is above the maximum 16384' }])
  // The same shape as a built-in's refusal.
  const builtin = await post(app, spec({ id: 'fibonacci', params: { n: 99 } }))
  assert.deepEqual(Object.keys(builtin.json().details[0]).sort(), Object.keys(above.json().details[0]).sort())

  const wrong = await post(app, spec({ id: 'examples/gzip', params: { level: '6', bogus: 1 } }))
  assert.equal(wrong.statusCode, 400)
  assert.deepEqual(wrong.json().details.map((d: { field: string }) => d.field).sort(), ['workload.params.bogus', 'workload.params.level'])
  assert.match(wrong.json().message, /params\.bogus: unknown parameter \(allowed: kib, level\)/)
  assert.match(wrong.json().message, /params\.level: expected integer, got "6"/)

  const ok = await post(app, spec({ id: 'examples/gzip', params: { kib: 64 } }))
  assert.equal(ok.statusCode, 202, ok.body)
  const job = (await app.inject(`/api/jobs/${ok.json().id}`)).json()
  assert.deepEqual(job.spec.workload, { id: 'examples/gzip', params: { kib: 64, level: 6 } })
})

test('POST /api/jobs: an id no runner published, a runtime its runners lack, and a version pin no runner has are 400s naming the field', async (t) => {
  const { app } = await build(t, {}, { runner: 'off' })
  await register(app, 'lab', [gzip('1.0.0+aaaaaaaaaaaa')], { runtimes: ['node'] })

  const unknown = await post(app, spec({ id: 'acme/nothing' }))
  assert.equal(unknown.statusCode, 400)
  assert.equal(unknown.json().details[0].field, 'workload.id')
  assert.match(unknown.json().details[0].message, /^workload\.id: unknown workload "acme\/nothing"; expected one of .*examples\/gzip/)

  const python = await post(app, spec({ id: 'examples/gzip' }, { runtimes: ['python'] }))
  assert.equal(python.statusCode, 400)
  assert.deepEqual(python.json().details[0], { field: 'runtimes', value: 'python', limit: 'node', message: 'runtimes: no runner with workload examples/gzip has python (they run it in node)' })

  const pin = await post(app, spec({ id: 'examples/gzip', version: '2.0.0+ffffffffffff' }))
  assert.equal(pin.statusCode, 400)
  assert.deepEqual(pin.json().details[0], { field: 'workload.version', value: '2.0.0+ffffffffffff', limit: '1.0.0+aaaaaaaaaaaa', message: 'workload.version: no registered runner has examples/gzip version "2.0.0+ffffffffffff" (they have 1.0.0+aaaaaaaaaaaa)' })
  const builtinPin = await post(app, spec({ id: 'fibonacci', version: '0.0.1' }))
  assert.equal(builtinPin.json().details[0].field, 'workload.version')

  const pinned = await post(app, spec({ id: 'examples/gzip', version: '1.0.0+aaaaaaaaaaaa' }))
  assert.equal(pinned.statusCode, 202, pinned.body)
  assert.equal((await app.inject(`/api/jobs/${pinned.json().id}`)).json().spec.workload.version, '1.0.0+aaaaaaaaaaaa')

  // A runner that registers now is seen by the next request, without waiting for the catalog's poll.
  await register(app, 'late', [{ ...gzip('3.0.0+dddddddddddd'), id: 'acme/late' }])
  assert.equal((await post(app, spec({ id: 'acme/late', version: '3.0.0+dddddddddddd' }))).statusCode, 202)
})

test('versions that differ in params: a pin is checked against its own version\'s schema, no pin against the newest', async (t) => {
  const { app } = await build(t, {}, { runner: 'off' })
  const v2 = gzip('2.0.0+bbbbbbbbbbbb')
  await register(app, 'lab-old', [gzip('1.0.0+aaaaaaaaaaaa')], { ageMs: 5000 })
  await register(app, 'lab-new', [{ ...v2, params: { ...v2.params as object, properties: { kib: { type: 'integer', minimum: 1, maximum: 100, default: 64 } } }, defaults: { kib: 64 } }])

  const newest = await post(app, spec({ id: 'examples/gzip', params: { kib: 1000 } }))
  assert.equal(newest.statusCode, 400)
  assert.deepEqual(newest.json().details[0], { field: 'workload.params.kib', value: 1000, limit: 100, message: 'params.kib: 1000 is above the maximum 100' })
  const pinned = await post(app, spec({ id: 'examples/gzip', version: '1.0.0+aaaaaaaaaaaa', params: { kib: 1000 } }))
  assert.equal(pinned.statusCode, 202, pinned.body)
  assert.deepEqual((await app.inject(`/api/jobs/${pinned.json().id}`)).json().spec.workload.params, { kib: 1000, level: 6 })
})

test('routing: a package workload is queued only for the runners that published it (and the pinned version)', async (t) => {
  const { app } = await build(t, {}, { runner: 'off' })
  await register(app, 'lab', [gzip('1.0.0+aaaaaaaaaaaa')])
  await register(app, 'plain', [])
  await register(app, 'newer', [gzip('1.1.0+bbbbbbbbbbbb')])
  const queuesOf = async (workload: Record<string, unknown>): Promise<string[]> => {
    const res = await post(app, spec(workload))
    assert.equal(res.statusCode, 202, res.body)
    return (await app.store.getJob(res.json().id))?.queues ?? []
  }
  assert.deepEqual(await queuesOf({ id: 'examples/gzip' }), [runnerQueue('lab'), runnerQueue('newer')].sort())
  assert.deepEqual(await queuesOf({ id: 'examples/gzip', version: '1.1.0+bbbbbbbbbbbb' }), [runnerQueue('newer')])
  assert.deepEqual(await queuesOf({ id: 'fibonacci' }), [], 'a built-in runs anywhere')
  const elsewhere = await post(app, spec({ id: 'examples/gzip' }, { runOn: { runner: 'plain' } }))
  assert.equal(elsewhere.statusCode, 400)
  assert.equal(elsewhere.json().details[0].field, 'workload.id')
  assert.match(elsewhere.json().details[0].message, /no matching runner has loaded workload examples\/gzip \(matching runners: plain\)/)
})

test('the warnings use a package workload\'s published kind: waits on more workers than cores are no warning', async (t) => {
  const { app } = await build(t, {}, { runner: 'off' })
  await register(app, 'lab', [gzip('1.0.0+aaaaaaaaaaaa'), { ...gzip('1.0.0+aaaaaaaaaaaa'), id: 'examples/fetch', kind: 'io' }])
  const many = app.host.usableCores * 2
  const warnings = async (id: string): Promise<string[]> => {
    const res = await post(app, spec({ id }, { executors: ['serialized', 'threaded'], workers: [1, many], tasks: 8 * many, repetitions: 5 }))
    assert.equal(res.statusCode, 202, res.body)
    return res.json().warnings
  }
  assert.ok((await warnings('examples/gzip')).some(w => w.startsWith(`workers up to ${many} on `)), 'CPU work past the cores is warned about')
  assert.ok(!(await warnings('examples/fetch')).some(w => w.startsWith(`workers up to ${many} on `)), 'waits overlap whatever the cores')
})
