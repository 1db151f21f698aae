import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { build } from '../helpers/app.js'
import { quickSpec, submit, waitFor } from '../helpers/jobs.js'
import { startServer } from '../helpers/server-process.js'
import { connect } from '../helpers/ws.js'

const one = (workload: unknown, extra: Record<string, unknown> = {}) => ({ workload, tasks: 2, executors: ['threaded'], workers: [1], repetitions: 1, warmup: 0, ...extra })

function nodeChildren (): number[] {
  try {
    // Node 24 names its main thread, and so its comm, MainThread.
    return execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' })
      .split('\n').map(l => l.trim().split(/\s+/)).filter(([, c]) => c === 'node' || c === 'MainThread').map(([p]) => Number(p))
  } catch {
    return []
  }
}

test('each fault fails only its own run with a clear reason, and a normal job right after succeeds', async (t) => {
  // The http-get workload pointed at a port nobody listens on: its fetch throws inside the worker.
  const { app } = await build(t, { WORKER_MAX_OLD_GEN_MB: '24' }, { runnerHttpBase: 'http://127.0.0.1:9/delay' })
  const faults: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a task that throws', one({ id: 'http-get', params: { delayMs: 0 } }), /COREBENCH_ERR_TASK_FAILED: task \d \(http-get\) threw \w*Error: fetch failed/],
    ['a worker over its memory limit', one({ id: 'json-roundtrip', params: { items: 200_000, rounds: 3 } }), /COREBENCH_ERR_WORKER_EXITED: .*memory/],
    ['an endless task past the timeout', one({ id: 'fibonacci', params: { n: 40, repeat: 20 } }, { taskTimeoutMs: 300 }), /COREBENCH_ERR_TASK_TIMEOUT: task \d ran longer than the task timeout of 300 ms/]
  ]
  for (const [what, spec, reason] of faults) {
    const bad = await waitFor(app, (await submit(app, spec)).id)
    assert.equal(bad.status, 'failed', what)
    assert.match(bad.error, reason, what)
    assert.equal(bad.runs.length, 1, `${what}: the failed run is recorded`)
    const good = await waitFor(app, (await submit(app, quickSpec)).id)
    assert.equal(good.status, 'finished', `after ${what}: ${good.error}`)
  }

  // A child process killed from outside, mid-run.
  const running = await submit(app, { ...one({ id: 'sleep', params: { ms: 5000 } }), executors: ['process'] })
  await waitFor(app, running.id, j => j.progress.current !== null)
  const victim = nodeChildren()[0]
  assert.ok(victim !== undefined, 'the process pool has a child')
  process.kill(victim, 'SIGKILL')
  const killed = await waitFor(app, running.id)
  assert.equal(killed.status, 'failed')
  assert.match(killed.error, new RegExp(`child process ${victim} was killed by SIGKILL`))
  assert.equal((await waitFor(app, (await submit(app, quickSpec)).id)).status, 'finished')
  assert.equal((await app.inject('/api/health')).statusCode, 200)
})

test('SIGTERM under load: stream clients are closed, the running job is recorded cancelled, exit 0 in bounded time', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'corebench-term-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const server = await startServer(t, { DATABASE_URL: `file:${join(dir, 'db.sqlite')}` })
  const post = await fetch(`${server.url}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ workload: { id: 'fibonacci', params: { n: 27 } }, tasks: 64, executors: ['serialized', 'threaded', 'process'], workers: [2], repetitions: 50, warmup: 0 }) })
  const { id } = await post.json() as { id: string }
  const ws = server.url.replace('http', 'ws')
  const clients = await Promise.all([
    ...Array.from({ length: 5 }, async () => await connect(t, `${ws}/api/stream`)),
    ...Array.from({ length: 5 }, async () => await connect(t, `${ws}/api/jobs/${id}/stream`))
  ])
  await Promise.all(clients.map(async c => await c.next(m => m.type === 'run.finished')))

  const t0 = Date.now()
  server.child.kill('SIGTERM')
  const closes = await Promise.all(clients.map(async c => await c.closed))
  const { code } = await server.exited
  assert.equal(code, 0, server.output())
  assert.ok(Date.now() - t0 < 15_000, `shutdown took ${Date.now() - t0} ms`)
  for (const [i, c] of closes.entries()) assert.ok([1000, 1001].includes(c.code), `client ${i} closed with ${c.code}`)
  const jobClient = clients[5] as Awaited<ReturnType<typeof connect>>
  assert.equal(jobClient.messages.at(-1).type, 'job.cancelled', 'job subscribers hear the cancellation before the close')

  const again = await startServer(t, { DATABASE_URL: `file:${join(dir, 'db.sqlite')}` })
  const job = await (await fetch(`${again.url}/api/jobs/${id}`)).json() as { status: string, runs: unknown[] }
  assert.equal(job.status, 'cancelled')
  assert.ok(job.runs.length >= 1)
  again.child.kill('SIGTERM')
  await again.exited
})
