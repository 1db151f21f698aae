import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { Agent, get } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { WebSocket } from 'ws'
import { connectionLimits, descriptorLimit } from '../../src/plugins/connections.js'
import { startServer } from '../helpers/server-process.js'

const MAX_FILES = 256
const CLIENTS = 300

test('the connection limit derives from the descriptor limit and caps MAX_CONNECTIONS', () => {
  assert.equal(descriptorLimit(() => 'Limit  Soft Limit  Hard Limit  Units\nMax open files            1024                 524288               files\n'), 1024)
  assert.equal(descriptorLimit(() => 'Max open files  unlimited  unlimited  files'), undefined)
  assert.equal(descriptorLimit(() => { throw new Error('ENOENT') }), undefined)
  assert.deepEqual(connectionLimits(0, 1024), { limit: 716, hardLimit: 870 })
  assert.deepEqual(connectionLimits(100, 1024), { limit: 100, hardLimit: 562 })
  assert.deepEqual(connectionLimits(5000, 1024), { limit: 716, hardLimit: 870 })
  assert.deepEqual(connectionLimits(0, undefined), { limit: 10_000, hardLimit: undefined })
})

test(`under ulimit -n ${MAX_FILES}, ${CLIENTS} stream clients: the excess is refused with 503, the server lives and shows the count`, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'corebench-fds-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const server = await startServer(t, { DATABASE_URL: `file:${join(dir, 'db.sqlite')}`, MAX_EVENT_LOOP_DELAY_MS: '60000' }, { maxFiles: MAX_FILES })
  const { limit } = connectionLimits(0, MAX_FILES)

  // One keep-alive connection made before the flood: the operator's view while the server is full.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  t.after(() => { agent.destroy() })
  const scrape = async (path: string): Promise<{ status: number, body: string }> => await new Promise((resolve, reject) => {
    get(`${server.url}${path}`, { agent }, (res) => {
      let body = ''
      res.on('data', (d: Buffer) => { body += d.toString() })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body }) })
    }).on('error', reject)
  })
  const first = await scrape('/api/health')
  assert.equal(first.status, 200, first.body)

  const sockets: WebSocket[] = []
  t.after(() => { for (const ws of sockets) ws.terminate() })
  const outcomes = await Promise.all(Array.from({ length: CLIENTS }, async () => await new Promise<string>((resolve) => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/stream`)
    sockets.push(ws)
    ws.once('open', () => { resolve('open') })
    ws.once('unexpected-response', (req, res) => { resolve(String(res.statusCode)); req.destroy() })
    ws.once('error', (err) => { resolve((err as NodeJS.ErrnoException).code ?? err.message) })
  })))
  const tally = new Map<string, number>()
  for (const o of outcomes) tally.set(o, (tally.get(o) ?? 0) + 1)
  const opened = tally.get('open') ?? 0
  assert.ok(opened <= limit && opened >= limit - 10, `about ${limit} opened: ${JSON.stringify([...tally])}`)
  assert.ok((tally.get('503') ?? 0) > 0, `the excess gets 503: ${JSON.stringify([...tally])}`)

  // Held past a sampling period (1 s) of every timer that might need a descriptor.
  await new Promise(resolve => setTimeout(resolve, 2500))
  // Before: under-pressure's memory sampling threw EMFILE from its timer and the process shut down.
  assert.equal(server.child.exitCode, null, server.output().slice(-2000))
  assert.doesNotMatch(server.output(), /EMFILE|shutting down/)
  const metrics = await scrape('/metrics')
  assert.equal(metrics.status, 200)
  assert.match(metrics.body, new RegExp(`^corebench_connection_limit ${limit}$`, 'm'))
  const open = Number(/^corebench_connections (\d+)$/m.exec(metrics.body)?.[1])
  assert.ok(open >= opened, `corebench_connections ${open} counts the ${opened} stream clients`)
  assert.ok(Number(/^corebench_connections_refused_total (\d+)$/m.exec(metrics.body)?.[1]) >= (tally.get('503') ?? 0))
  const dropped = Number(/^corebench_connections_dropped_total (\d+)$/m.exec(metrics.body)?.[1])
  if ((tally.get('ECONNRESET') ?? 0) > 0) assert.ok(dropped > 0, 'sockets closed past the hard limit are counted')

  for (const ws of sockets) ws.terminate()
  // Once they are gone, new clients are served again.
  const deadline = performance.now() + 10_000
  for (;;) {
    const res = await fetch(`${server.url}/api/health`).catch(() => undefined)
    if (res?.status === 200) break
    assert.ok(performance.now() < deadline, `health after the clients left: ${res?.status}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  assert.equal(server.child.exitCode, null)
})
