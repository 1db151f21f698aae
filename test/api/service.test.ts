import assert from 'node:assert/strict'
import { test } from 'node:test'
import { build } from '../helpers/app.js'

test('GET /api/health answers ok with the database reachable', async (t) => {
  const { app } = await build(t)
  const res = await app.inject('/api/health')
  assert.equal(res.statusCode, 200)
  assert.equal(res.json().status, 'ok')
  assert.equal(res.json().database, 'ok')
  assert.match(String(res.headers['x-request-id']), /^[0-9a-f-]{36}$/)
})

test('GET /api/health is 503 with a stable code when the database fails', async (t) => {
  const { app } = await build(t)
  // SQLite cannot be made unreachable from outside once open, so the failure is injected at the store.
  app.store.ping = async () => { throw new Error('SQLITE_IOERR: disk I/O error') }
  const res = await app.inject('/api/health')
  assert.equal(res.statusCode, 503)
  assert.deepEqual(Object.keys(res.json()).sort(), ['code', 'error', 'message', 'statusCode'])
  assert.equal(res.json().code, 'COREBENCH_ERR_DB_UNAVAILABLE')
  assert.doesNotMatch(res.body, /SQLITE_IOERR/)
})

test('GET /api/host reports this machine and is stored once across two starts', async (t) => {
  const first = await build(t)
  const res = await first.app.inject('/api/host')
  assert.equal(res.statusCode, 200)
  const host = res.json()
  const os = await import('node:os')
  assert.equal(host.logicalCores, os.cpus().length)
  assert.equal(host.usableCores, (await import('../../src/host/cores.js')).usableCores())
  assert.equal(host.physicalCores === null || host.physicalCores <= host.logicalCores, true)
  assert.equal(host.nodeVersion, process.version)
  assert.equal(host.hostname, os.hostname())
  assert.match(host.id, /^[0-9a-f]{16}$/)
  const url = first.config.DATABASE_URL
  await first.app.close()

  const second = await build(t, {}, { databaseUrl: url })
  assert.equal((await second.app.inject('/api/host')).json().id, host.id)
  assert.equal(await second.app.store.countHosts(), 1)
})

test('OpenAPI document lists the routes and the UI renders', async (t) => {
  const { app } = await build(t)
  const doc = (await app.inject('/docs/json')).json()
  assert.equal(doc.openapi, '3.0.3')
  assert.ok(doc.paths['/api/health']?.get, 'health route documented')
  assert.ok(doc.paths['/api/host']?.get, 'host route documented')
  assert.ok(doc.components.schemas.Error, 'shared Error schema named by its $id')
  const ui = await app.inject('/docs')
  assert.equal(ui.statusCode, 200)
  assert.match(ui.body, /swagger/i)
})

test('unknown routes get the one error shape', async (t) => {
  const { app } = await build(t)
  const res = await app.inject('/api/nope?x=1')
  assert.equal(res.statusCode, 404)
  assert.deepEqual(res.json(), { statusCode: 404, code: 'COREBENCH_ERR_ROUTE_NOT_FOUND', error: 'Not Found', message: 'Route GET /api/nope not found' })
})

test('unexpected errors are masked as 500 and never leak their message or stack', async (t) => {
  const { app } = await build(t, {}, { ready: false })
  app.get('/boom', async () => { throw new Error('secret connection string postgres://u:p@h') })
  await app.ready()
  const res = await app.inject('/boom')
  assert.equal(res.statusCode, 500)
  assert.deepEqual(res.json(), { statusCode: 500, code: 'COREBENCH_ERR_INTERNAL', error: 'Internal Server Error', message: 'Internal Server Error' })
  assert.doesNotMatch(res.body, /secret|stack|at /)
})
