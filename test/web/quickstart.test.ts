import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { before, test } from 'node:test'
import { pino } from 'pino'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { tempDatabase } from '../helpers/db.js'
import { buildDashboard } from './browser.js'

// The dashboard is served from dist/web: build it from the current sources.
before(buildDashboard)

test('once listening, the log says where the dashboard and the API docs are, and both answer', async (t) => {
  const db = await tempDatabase(t)
  const lines: Array<{ msg: string, dashboard?: string, docs?: string }> = []
  const sink = new Writable({ write (chunk, _enc, cb) { lines.push(JSON.parse(String(chunk))); cb() } })
  const config = loadConfig({ LOG_LEVEL: 'info', MAX_EVENT_LOOP_DELAY_MS: '60000', DATABASE_URL: db.url })
  const app = await buildApp({ config, logger: pino({ level: 'info' }, sink) })
  t.after(async () => { await app.close() })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  const ready = lines.find(l => String(l.msg).startsWith('corebench is ready'))
  assert.ok(ready !== undefined, JSON.stringify(lines.map(l => l.msg)))
  assert.equal(ready.msg, `corebench is ready: dashboard http://127.0.0.1:${port}/ · API docs http://127.0.0.1:${port}/docs`)
  for (const url of [ready.dashboard, ready.docs]) {
    const res = await fetch(url as string)
    assert.equal(res.status, 200, url)
    await res.arrayBuffer()
  }
})
