import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { quickSpec } from '../helpers/jobs.js'
import { startServer, type ServerProcess } from '../helpers/server-process.js'

// The runner as its own process, against real processes: the server supervises one runner child.

async function api (s: ServerProcess, path: string, body?: unknown): Promise<{ status: number, json: any }> {
  const res = await fetch(`${s.url}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return { status: res.status, json: await res.json() }
}

async function until<T> (what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    const got = await probe()
    if (got !== undefined) return got
    if (performance.now() > deadline) assert.fail(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

/** Pids of a process's direct children (Linux: /proc/<pid>/task/<tid>/children). */
function children (pid: number): number[] {
  const out: number[] = []
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    out.push(...readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number))
  }
  return out
}

function cmdline (pid: number): string {
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ') } catch { return '' }
}

/** The server's runner child (tsx may have an esbuild child beside it). */
function runnerPid (server: ServerProcess): number | undefined {
  return children(server.child.pid as number).find(p => /runner\.(ts|js)/.test(cmdline(p)))
}

function database (t: TestContext): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'corebench-runner-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return { DATABASE_URL: `file:${join(dir, 'corebench.db')}` }
}

const slow = { workload: { id: 'sleep', params: { ms: 200 } }, tasks: 1, executors: ['serialized'], repetitions: 50, warmup: 0 }

test('the API and its runner are two processes; kill -9 of the runner interrupts its job at once, the API keeps answering, and the next job runs', async (t) => {
  const server = await startServer(t, database(t))
  const runner = await until('the runner child', async () => runnerPid(server))
  assert.notEqual(runner, server.child.pid)

  const held = (await api(server, '/api/jobs', slow)).json
  const waiting = (await api(server, '/api/jobs', quickSpec)).json
  await until('a stored run', async () => { const j = (await api(server, `/api/jobs/${held.id}`)).json; return j.runs.length >= 1 ? j : undefined })

  const killedAt = performance.now()
  process.kill(runner, 'SIGKILL')
  const job = await until('the interrupted job', async () => { const j = (await api(server, `/api/jobs/${held.id}`)).json; return j.status !== 'running' ? j : undefined })
  const recoveryMs = performance.now() - killedAt
  assert.equal(job.status, 'interrupted')
  assert.match(job.error, /runner process exited with signal SIGKILL/)
  assert.ok(job.runs.length >= 1, 'runs stored before the kill are kept')
  // The bound is 2 s on a quiet machine; a loaded CI machine gets some slack.
  assert.ok(recoveryMs < 5000, `interrupted ${Math.round(recoveryMs)} ms after the kill`)
  assert.equal((await api(server, '/api/health')).status, 200)

  const next = await until('the queued job to end', async () => { const j = (await api(server, `/api/jobs/${waiting.id}`)).json; return ['finished', 'failed'].includes(j.status) ? j : undefined }, 60_000)
  assert.equal(next.status, 'finished', next.error)
  const restarted = runnerPid(server)
  assert.ok(restarted !== undefined && restarted !== runner, 'a new runner process took over')

  server.child.kill('SIGTERM')
  assert.equal((await server.exited).code, 0, server.output())
  assert.equal(cmdline(restarted), '', 'the runner exits with its server')
})

test('a second server on the same database while a job runs changes nothing of that job; its runner waits for the machine', async (t) => {
  const env = database(t)
  const first = await startServer(t, env)
  const held = (await api(first, '/api/jobs', slow)).json
  assert.ok(held.id, JSON.stringify(held))
  await until('a stored run', async () => { const j = (await api(first, `/api/jobs/${held.id}`)).json; return j.runs.length >= 1 ? j : undefined })

  const second = await startServer(t, env)
  const health = await until('the second runner to give up on the machine', async () => {
    const h = (await api(second, '/api/health')).json
    return h.runner.state === 'restarting' ? h : undefined
  })
  assert.match(health.runner.reason, /another runner holds this machine/)
  const before = (await api(first, `/api/jobs/${held.id}`)).json
  await until('more runs of the held job', async () => { const j = (await api(first, `/api/jobs/${held.id}`)).json; return j.runs.length > before.runs.length ? j : undefined })
  const still = (await api(second, `/api/jobs/${held.id}`)).json
  assert.equal(still.status, 'running')
  assert.equal(still.error, null)

  // A runner started by hand on this machine refuses, naming the holder.
  const byHand = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../../bin/corebench.mjs', import.meta.url)), 'runner'], { env: { ...process.env, ...env, LOG_LEVEL: 'error' }, encoding: 'utf8', timeout: 60_000 })
  assert.equal(byHand.status, 3, byHand.stdout + byHand.stderr)
  assert.match(byHand.stdout + byHand.stderr, /another runner holds this machine/)

  // A cancel through the other instance reaches the runner (durably, at its next heartbeat).
  const cancel = await api(second, `/api/jobs/${held.id}/cancel`, {})
  assert.equal(cancel.status, 202)
  assert.equal(cancel.json.status, 'cancelling')
  const ended = await until('the cancel', async () => { const j = (await api(first, `/api/jobs/${held.id}`)).json; return j.status !== 'running' ? j : undefined })
  assert.equal(ended.status, 'cancelled')

  second.child.kill('SIGTERM')
  first.child.kill('SIGTERM')
  assert.equal((await second.exited).code, 0, second.output())
  assert.equal((await first.exited).code, 0, first.output())
})
