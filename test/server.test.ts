import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { startServer } from './helpers/server-process.js'

test('a fresh start migrates a new database, serves, and exits 0 on SIGTERM', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'corebench-server-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  // A directory that does not exist yet: start-up must create it.
  const server = await startServer(t, { DATABASE_URL: `file:${join(dir, 'nested', 'corebench.db')}` })
  const res = await fetch(`${server.url}/api/health`)
  assert.equal(res.status, 200)
  assert.equal((await res.json() as { database: string }).database, 'ok')

  server.child.kill('SIGTERM')
  const { code } = await server.exited
  assert.equal(code, 0, server.output())
  assert.match(server.output(), /SIGTERM received, shutting down/)
  // Nothing listens any more.
  await assert.rejects(fetch(`${server.url}/api/health`))
})
