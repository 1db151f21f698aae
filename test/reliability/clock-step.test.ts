import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { fileURLToPath } from 'node:url'
import { createToken } from '../../src/auth/manage.js'
import { createPrismaClient } from '../../src/store/client.js'
import { createPrismaStore } from '../../src/store/prisma-store.js'
import { startServer, type ServerProcess } from '../helpers/server-process.js'
import { connect } from '../helpers/ws.js'

const shim = fileURLToPath(new URL('fixtures/clock-step.mjs', import.meta.url))

/** Polls `check` every 100 ms until it holds; fails after `timeoutMs`. */
async function until (what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!(await check())) {
    if (performance.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

/** A server whose wall clock can be stepped back an hour (SIGWINCH to the shim). */
async function steppable (t: TestContext): Promise<{ server: ServerProcess, dbUrl: string, stepBack: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'corebench-clock-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const dbUrl = `file:${join(dir, 'db.sqlite')}`
  // A tsx process on a busy machine can stall its loop for a second; load shedding is not under test.
  const server = await startServer(t, { DATABASE_URL: dbUrl, MAX_EVENT_LOOP_DELAY_MS: '60000' }, { nodeArgs: ['--import', shim] })
  const stepBack = async (): Promise<void> => {
    const steps = (server.output().match(/clock-step:/g) ?? []).length
    server.child.kill('SIGWINCH')
    await until('the shim stepped the clock', () => (server.output().match(/clock-step:/g) ?? []).length > steps, 5000)
  }
  return { server, dbUrl, stepBack }
}

test('a wall clock stepped back an hour: a token created meanwhile closes writes within the cache time, not an hour later', async (t) => {
  const { server, dbUrl, stepBack } = await steppable(t)
  // An empty body: 400 while writes are open, 401 once a token is needed; no job is ever created.
  const write = async (): Promise<number> => (await fetch(`${server.url}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status
  assert.equal(await write(), 400, 'no token yet: writes are open')
  await stepBack()

  const store = createPrismaStore(await createPrismaClient(dbUrl))
  t.after(async () => { await store.close() })
  await createToken(store, 'ci')
  // The server caches "no tokens exist" for 5 s; with Date.now() that cache outlived the step.
  await until('writes need the new token', async () => await write() === 401, 15_000).catch((err: Error) => { throw new Error(`${err.message}\n${server.output()}`) })
})

test('a wall clock stepped back an hour: progress events keep coming', async (t) => {
  const { server, stepBack } = await steppable(t)
  const post = await fetch(`${server.url}/api/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ workload: { id: 'sleep', params: { ms: 20 } }, tasks: 100, executors: ['serialized'], repetitions: 2, warmup: 0 })
  })
  const { id } = await post.json() as { id: string }
  const client = await connect(t, `${server.url.replace('http', 'ws')}/api/jobs/${id}/stream`)
  await client.next(m => m.type === 'progress' && m.data.runDone > 0)
  await stepBack()
  const seen = client.messages.length
  await client.next(m => m.type === 'job.finished', 60_000)
  const after = client.messages.slice(seen).filter(m => m.type === 'progress' && m.data.runDone > 0)
  // ~3 s of tasks after the step, coalesced to one message per 100 ms.
  assert.ok(after.length >= 5, `${after.length} progress messages after the step`)
})
