import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { after, before, test } from 'node:test'
import { EXIT_MACHINE_BUSY } from '../../src/jobs/supervisor.js'
import { startCluster, type TestCluster } from '../helpers/postgres.js'
import { startServer } from '../helpers/server-process.js'
import { api, FINAL, LEASES, runnerArgs, sleepy, spawnRunner, tiny, until } from '../helpers/team.js'
import { connect } from '../helpers/ws.js'

// Team mode with real processes on a real PostgreSQL: API instances without runners (RUNNER=off) and
// runners started by hand, each with a test-only machine identity so that several share this machine.
// States, routing and events are asserted, never speed.

let cluster: TestCluster
const afters: Array<() => unknown> = []
before(async () => { cluster = await startCluster({ after: (fn: () => unknown) => { afters.push(fn) } }) })
after(async () => { for (const fn of afters.reverse()) await fn() })

test('two API instances and two runners: a job submitted to one API runs once; a client of the other sees every event in order', async (t) => {
  const db = await cluster.database(t)
  const apiEnv = { DATABASE_URL: db, RUNNER: 'off', ...LEASES }
  const [a, b] = await Promise.all([startServer(t, apiEnv), startServer(t, apiEnv)])
  const runners = await Promise.all([
    spawnRunner(t, { DATABASE_URL: db, RUNNER_NAME: 'r1', RUNNER_MACHINE_ID: 'team-m1' }),
    spawnRunner(t, { DATABASE_URL: db, RUNNER_NAME: 'r2', RUNNER_MACHINE_ID: 'team-m2' })
  ])
  const listed = await api(b.url, '/api/runners')
  assert.deepEqual(listed.map((r: any) => `${r.name}:${r.state}`), ['r1:idle', 'r2:idle'], 'every API instance lists every runner')
  // A blocker keeps one runner busy, so the next job is claimed while B's client is subscribed.
  const jobs = await Promise.all(Array.from({ length: 4 }, async () => await api(a.url, '/api/jobs', { method: 'POST', body: JSON.stringify(tiny) })))
  const watched = jobs[3]
  const client = await connect(t, `${b.url.replace('http', 'ws')}/api/jobs/${watched.id}/stream`)
  const ends = await Promise.all(jobs.map(async j => await until(b.url, j.id, job => FINAL.includes(job.status))))
    .catch((err: Error) => { throw new Error(`${err.message}\nrunners said:\n${runners.map(r => r.output().slice(-2000)).join('\n---\n')}`) })
  assert.deepEqual(ends.map(j => j.status), jobs.map(() => 'finished'))
  for (const job of ends) {
    assert.equal(job.runs.length, 4, 'each recorded run stored once: 2 cells × 2 repetitions')
  }
  await client.closed
  const events = client.messages.filter(m => m.type !== 'snapshot')
  assert.equal(events.at(-1)?.type, 'job.finished', client.messages.map(m => m.type).join(','))
  const snapshot = client.messages[0]
  assert.equal(snapshot.type, 'snapshot')
  let seq = snapshot.seq
  for (const m of events) {
    assert.equal(m.seq, seq + 1, `seq gap-free on the other instance: ${client.messages.map(x => `${x.type}:${x.seq}`).join(' ')}`)
    seq = m.seq
  }
})

test('kill -9 of a runner mid-job: its job is interrupted by the APIs within the lease; another runner with the same machine identity is refused while it lives', async (t) => {
  const db = await cluster.database(t)
  const server = await startServer(t, { DATABASE_URL: db, RUNNER: 'off', ...LEASES })
  const runner = await spawnRunner(t, { DATABASE_URL: db, RUNNER_NAME: 'victim', RUNNER_MACHINE_ID: 'team-m3' })

  const twin = spawn(process.execPath, runnerArgs, { env: { ...process.env, ...LEASES, LOG_LEVEL: 'error', DATABASE_URL: db, RUNNER_NAME: 'twin', RUNNER_MACHINE_ID: 'team-m3' }, stdio: ['ignore', 'pipe', 'pipe'] })
  let twinOut = ''
  twin.stdout.on('data', (d: Buffer) => { twinOut += d.toString() })
  twin.stderr.on('data', (d: Buffer) => { twinOut += d.toString() })
  const [code] = await once(twin, 'exit') as [number | null]
  assert.equal(code, EXIT_MACHINE_BUSY, twinOut)
  assert.match(twinOut, /victim/, 'the refusal names the runner that holds the machine')

  const job = await api(server.url, '/api/jobs', { method: 'POST', body: JSON.stringify(sleepy) })
  await until(server.url, job.id, j => j.status === 'running')
  const killedAt = Date.now()
  runner.child.kill('SIGKILL')
  await runner.exited
  const ended = await until(server.url, job.id, j => FINAL.includes(j.status), 30_000)
  const tookMs = Date.now() - killedAt
  assert.equal(ended.status, 'interrupted')
  assert.match(ended.error.message ?? ended.error, /lease/)
  const [victim] = await api(server.url, '/api/runners')
  assert.equal(victim.name, 'victim')
  assert.equal(victim.state, 'offline', 'its heartbeat is older than the lease: offline since then')
  t.diagnostic(`kill -9 → interrupted in ${tookMs} ms (lease ${LEASES.RUNNER_LEASE_MS} ms)`)
})
