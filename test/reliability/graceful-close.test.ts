import assert from 'node:assert/strict'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { Agent, get, type IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { startServer } from '../helpers/server-process.js'

const IN_FLIGHT_MS = 2000

test('SIGTERM with a keep-alive request in flight: it completes with Connection: close, idle sockets close at once, exit 0 soon after', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'corebench-close-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const server = await startServer(t, { DATABASE_URL: `file:${join(dir, 'db.sqlite')}`, MAX_EVENT_LOOP_DELAY_MS: '60000' })
  const agents = [new Agent({ keepAlive: true, maxSockets: 1 }), new Agent({ keepAlive: true, maxSockets: 1 })]
  t.after(() => { for (const a of agents) a.destroy() })
  const request = async (agent: Agent, path: string): Promise<{ res: IncomingMessage, body: string, socket: Socket }> => await new Promise((resolve, reject) => {
    const req = get(`${server.url}${path}`, { agent }, (res) => {
      let body = ''
      res.on('data', (d: Buffer) => { body += d.toString() })
      res.on('end', () => { resolve({ res, body, socket: req.socket as Socket }) })
    })
    req.on('error', reject)
  })

  // An idle keep-alive connection: one request answered, the socket kept in its agent's pool.
  const idle = await request(agents[0] as Agent, '/api/health')
  assert.equal(idle.res.headers.connection, 'keep-alive')
  const idleClosed = once(idle.socket, 'close').then(() => performance.now())

  // A request in flight on another keep-alive connection.
  const inFlight = request(agents[1] as Agent, `/api/loopback/delay?ms=${IN_FLIGHT_MS}`)
  // Given a second to reach the handler (an unread request counts as idle and would be closed).
  await new Promise(resolve => setTimeout(resolve, 1000))
  const t0 = performance.now()
  server.child.kill('SIGTERM')

  const { res, body } = await inFlight
  const answeredAt = performance.now()
  assert.equal(res.statusCode, 200, body)
  assert.equal(res.headers.connection, 'close', 'the in-flight reply tells the client not to reuse the connection')
  assert.ok(await idleClosed < answeredAt, 'the idle connection was closed before the in-flight reply, not after it')
  const { code } = await server.exited
  const took = performance.now() - t0
  assert.equal(code, 0, server.output().slice(-2000))
  // The in-flight request's remaining time plus the shutdown itself; the 20 s timeout would be far past it.
  assert.ok(took < IN_FLIGHT_MS + 6000, `exit ${Math.round(took)} ms after SIGTERM`)
})
