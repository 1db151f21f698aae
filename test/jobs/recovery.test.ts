import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { startServer, type ServerProcess } from '../helpers/server-process.js'
import { quickSpec } from '../helpers/jobs.js'

async function api (s: ServerProcess, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${s.url}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return await res.json()
}

async function until (s: ServerProcess, id: string, ok: (job: any) => boolean, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const job = await api(s, `/api/jobs/${id}`)
    if (ok(job)) return job
    if (Date.now() > deadline) assert.fail(`job ${id} stuck in ${job.status}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

const slow = { workload: { id: 'sleep', params: { ms: 200 } }, tasks: 1, executors: ['serialized'], repetitions: 50, warmup: 0 }

test('kill -9 of the server mid-job: its runner stops the job as interrupted with its runs kept, and the queue goes on after a restart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'corebench-crash-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const env = { DATABASE_URL: `file:${join(dir, 'corebench.db')}` }

  const first = await startServer(t, env)
  const crashed = await api(first, '/api/jobs', slow)
  const waiting = await api(first, '/api/jobs', quickSpec)
  await until(first, crashed.id, j => j.runs.length >= 2)
  first.child.kill('SIGKILL')
  assert.equal((await first.exited).signal, 'SIGKILL')

  const second = await startServer(t, env)
  // The orphaned runner sees its server gone (the IPC channel closes) and ends its job itself; when
  // it cannot within its lease, the new server's lease sweep ends it. In one CI run with another
  // test file beside this one the sweep came first (the orphan's write did not land within 15 s).
  // Either way the job is interrupted with its runs kept, and says why.
  const job = await until(second, crashed.id, j => j.status !== 'running', 30_000)
  assert.equal(job.status, 'interrupted')
  assert.match(job.error, /the server that supervised its runner is gone|its runner stopped renewing its lease/)
  assert.ok(job.runs.length >= 2, 'runs stored before the crash are kept')
  assert.ok(job.runs.every((r: any) => r.ok), 'a crash loses at most the run in flight, never a stored one')
  const next = await until(second, waiting.id, j => j.status === 'finished' || j.status === 'failed')
  assert.equal(next.status, 'finished', next.error)

  // SIGTERM while a job runs: it is cancelled and recorded, not lost, and the process exits 0.
  const stopped = await api(second, '/api/jobs', slow)
  await until(second, stopped.id, j => j.runs.length >= 1)
  second.child.kill('SIGTERM')
  assert.equal((await second.exited).code, 0, second.output())

  const third = await startServer(t, env)
  const after = await api(third, `/api/jobs/${stopped.id}`)
  assert.equal(after.status, 'cancelled')
  assert.match(after.error, /runner shut down/)
  assert.ok(after.runs.length >= 1)
  third.child.kill('SIGTERM')
  await third.exited
})
