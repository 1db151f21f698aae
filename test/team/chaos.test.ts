import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { after, before, test, type TestContext } from 'node:test'
import pg from 'pg'
import { machineLockKey } from '../../src/jobs/pg-machine-lock.js'
import { EXIT_MACHINE_BUSY } from '../../src/jobs/supervisor.js'
import { IDLE_IN_TRANSACTION_MS } from '../../src/store/client.js'
import { startCluster, type TestCluster } from '../helpers/postgres.js'
import { startServer } from '../helpers/server-process.js'
import { api, assertGapFree, descendants, exitCode, FINAL, LEASES, said, sleepy, spawnRunner, submit, tiny, until } from '../helpers/team.js'
import { connect, type Client } from '../helpers/ws.js'

// Crash safety of team mode with real processes on a real PostgreSQL: the machine's advisory lock, a
// runner paused with SIGSTOP, an API instance killed with -9, a PostgreSQL restart, cancel across
// instances. States and events are asserted, never speed; the recovery times are printed
// (t.diagnostic) for the record. The restart case comes last: it stops the file's whole cluster.

let cluster: TestCluster
const afters: Array<() => unknown> = []
before(async () => { cluster = await startCluster({ after: (fn: () => unknown) => { afters.push(fn) } }) })
after(async () => { for (const fn of afters.reverse()) await fn() })

async function session (t: TestContext, url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url })
  client.on('error', () => {}) // terminated on purpose below
  await client.connect()
  t.after(async () => { await client.end().catch(() => {}) })
  return client
}

/** Awaits `promise`; a failure says which step it was and what the processes printed. */
async function step<T> (label: string, promise: Promise<T>, ...procs: Array<{ output: () => string }>): Promise<T> {
  return await promise.catch((err: Error) => {
    throw new Error(`${label}: ${err.message}\n${procs.map(p => p.output().slice(-2500)).join('\n---\n')}`)
  })
}

/** The events of a job stream after its snapshot, and the snapshot's seq. */
function eventsOf (client: Client): { from: number, events: Array<{ type: string, seq: number }> } {
  const [snapshot, ...events] = client.messages
  assert.equal(snapshot?.type, 'snapshot')
  return { from: snapshot.seq, events }
}

test('machine lock: the advisory lock decides who holds a machine; kill -9 of its holder frees it at once; a runner whose lock was taken while its session was lost exits', async (t) => {
  const db = await cluster.database(t)
  const server = await startServer(t, { DATABASE_URL: db, RUNNER: 'off', ...LEASES })
  const env = { DATABASE_URL: db, RUNNER_MACHINE_ID: 'chaos-m1' }
  const key = machineLockKey('chaos-m1').toString()

  // A holder with no row here (a runner elsewhere, mid start): only the lock says the machine is taken.
  const other = await session(t, db)
  await other.query('SELECT pg_advisory_lock($1::bigint)', [key])
  const early = await spawnRunner(t, { ...env, RUNNER_NAME: 'early' }, false)
  assert.equal(await exitCode(early), EXIT_MACHINE_BUSY, early.output())
  assert.match(early.output(), /another runner holds this machine \(its advisory lock in PostgreSQL is held\)/)
  await other.end()

  const first = await spawnRunner(t, { ...env, RUNNER_NAME: 'first' })
  const twin = await spawnRunner(t, { ...env, RUNNER_NAME: 'twin' }, false)
  assert.equal(await exitCode(twin), EXIT_MACHINE_BUSY, twin.output())
  assert.equal(twin.output().split('\n').filter(l => l.includes('another runner holds this machine')).length, 1, 'one line says why')
  assert.match(twin.output(), /first, pid \d+/, 'the refusal names the holder')

  first.child.kill('SIGKILL')
  await first.exited
  const killedAt = Date.now()
  // No lease to wait for: PostgreSQL ended the killed runner's session and its lock with it.
  const second = await spawnRunner(t, { ...env, RUNNER_NAME: 'second' })
  t.diagnostic(`kill -9 of the holder → the next runner held the machine ${Date.now() - killedAt} ms later (its whole start-up included)`)
  const listed = await api(server.url, '/api/runners')
  assert.deepEqual(listed.map((r: any) => `${r.name}:${r.state}`), ['second:idle'], 'the store row, taken over, names the new holder')

  // Its lock session dies (as in a server restart) and another session takes the lock first.
  const thief = await session(t, db)
  const taking = thief.query('SELECT pg_advisory_lock($1::bigint)', [key])
  const admin = await session(t, db)
  const lostAt = Date.now()
  const { rowCount } = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`)
  assert.equal(rowCount, 1, 'one session held the advisory lock: the runner\'s')
  await taking
  assert.equal(await exitCode(second), EXIT_MACHINE_BUSY, second.output())
  assert.match(second.output(), /lost its machine/)
  t.diagnostic(`lock session killed and the lock taken by another → runner exited ${Date.now() - lostAt} ms later`)
})

test('SIGSTOP of a runner mid-job until its job is interrupted, then SIGCONT: late results refused, its job aborted, no executor process left', async (t) => {
  const db = await cluster.database(t)
  // A lease of 5 s: under a loaded CI machine 2 s can expire while the runner is busy forking its pool.
  const leases = { ...LEASES, RUNNER_LEASE_MS: '5000' }
  const server = await startServer(t, { DATABASE_URL: db, RUNNER: 'off', ...leases })
  const runner = await spawnRunner(t, { DATABASE_URL: db, RUNNER_NAME: 'sleeper', RUNNER_MACHINE_ID: 'chaos-m2', ...leases })
  // Forked task processes; each fork's tasks (1.5 s) end while the runner is stopped (longer than the lease).
  const job = await submit(server.url, { workload: { id: 'sleep', params: { ms: 1500 } }, tasks: 2, executors: ['process'], workers: [2], repetitions: 3, warmup: 0 })
  const client = await connect(t, `${server.url.replace('http', 'ws')}/api/jobs/${job.id}/stream`)
  await step('first run', client.next(m => m.type === 'run.finished'), server, runner)
  // The second fork is being measured: its pool's processes are up.
  await step('second fork', client.next(m => m.type === 'run.started' && m.data.fork === 1), server, runner)
  assert.ok(descendants(runner.child.pid as number).length >= 2, 'the process executor forked its workers')

  runner.child.kill('SIGSTOP')
  const stoppedAt = Date.now()
  t.after(() => { runner.child.kill('SIGCONT') })
  const interrupted = await until(server.url, job.id, j => FINAL.includes(j.status), 30_000)
    .catch((err: Error) => { throw new Error(`${err.message}\nAPI said:\n${server.output().slice(-3000)}`) })
  const recoveredMs = Date.now() - stoppedAt
  assert.equal(interrupted.status, 'interrupted')
  assert.match(interrupted.error.message ?? interrupted.error, /lease/)
  assert.equal(interrupted.runs.length, 1, 'the run stored before the stop is kept')

  runner.child.kill('SIGCONT')
  const resumedAt = Date.now()
  await said(runner, 'its late results were refused')
  const abortedMs = Date.now() - resumedAt
  // The pool of the aborted fork is destroyed: no task process outlives the job.
  const deadline = Date.now() + 10_000
  while (descendants(runner.child.pid as number).length > 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 100))
  assert.deepEqual(descendants(runner.child.pid as number), [], 'no executor process left')

  const after = await api(server.url, `/api/jobs/${job.id}`)
  assert.equal(after.status, 'interrupted', 'the job stays interrupted')
  assert.equal(after.runs.length, 1, 'no run row written after the interruption, none twice')
  await client.closed
  const { from, events } = eventsOf(client)
  // The runner may stop after numbering an event and before sending it (a CI run caught
  // run.started:8 job.interrupted:10): that number stays unused, and only there may a gap be.
  assertGapFree(events, from, 'the stream of the interrupted job', { runnerLost: true })
  assert.equal(events.at(-1)?.type, 'job.interrupted')
  assert.equal(events.filter(m => m.type === 'run.finished').length, 1)

  // Resumed, the runner is whole again: it claims and finishes the next job.
  const next = await submit(server.url, tiny)
  assert.equal((await until(server.url, next.id, j => FINAL.includes(j.status))).status, 'finished', runner.output().slice(-3000))
  t.diagnostic(`SIGSTOP → job interrupted in ${recoveredMs} ms (lease ${leases.RUNNER_LEASE_MS} ms); SIGCONT → job aborted by its runner in ${abortedMs} ms`)
})

test('a process paused inside a transaction (SIGSTOP) does not block the lease sweep: its session is ended, the job of a dead runner is interrupted', async (t) => {
  const db = await cluster.database(t)
  const server = await startServer(t, { DATABASE_URL: db, RUNNER: 'off', ...LEASES })
  const runner = await spawnRunner(t, { DATABASE_URL: db, RUNNER_NAME: 'gone', RUNNER_MACHINE_ID: 'chaos-m5' })
  const job = await submit(server.url, sleepy)
  await until(server.url, job.id, j => j.status === 'running')
  // A store session as every process opens it, stopped between two statements of a transaction
  // that holds the job's row, as a runner paused mid-write would be.
  const client = new URL('../../src/store/client.ts', import.meta.url).href
  const holder = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `
    const { createPrismaClient } = await import(${JSON.stringify(client)})
    const prisma = await createPrismaClient(process.env.DATABASE_URL)
    await prisma.$transaction(async tx => {
      await tx.$executeRawUnsafe('UPDATE "Job" SET "status" = "status" WHERE "id" = $1', ${JSON.stringify(job.id)})
      console.log('locked')
      await new Promise(() => {})
    }, { timeout: 600000 })`], { env: { ...process.env, DATABASE_URL: db }, stdio: ['ignore', 'pipe', 'inherit'] })
  const holderExited = once(holder, 'exit')
  t.after(async () => { holder.kill('SIGKILL'); await holderExited })
  await once(holder.stdout, 'data')
  holder.kill('SIGSTOP')
  runner.child.kill('SIGKILL')
  await runner.exited
  const killedAt = Date.now()
  const ended = await step('interrupted despite the paused transaction', until(server.url, job.id, j => FINAL.includes(j.status), 45_000), server)
  assert.equal(ended.status, 'interrupted')
  assert.match(ended.error.message ?? ended.error, /lease/)
  t.diagnostic(`runner killed while another paused process held its job's row → interrupted in ${Date.now() - killedAt} ms (lease ${LEASES.RUNNER_LEASE_MS} ms, idle-in-transaction limit ${IDLE_IN_TRANSACTION_MS} ms)`)
})

test('two API instances: cancel via B reaches the runner of a job submitted via A; kill -9 of A while clients stream: B\'s client goes on, A\'s reconnects to B with no gap', async (t) => {
  const db = await cluster.database(t)
  const apiEnv = { DATABASE_URL: db, RUNNER: 'off', ...LEASES }
  const [a, b] = await Promise.all([startServer(t, apiEnv), startServer(t, apiEnv)])
  const runner = await spawnRunner(t, { DATABASE_URL: db, RUNNER_NAME: 'r', RUNNER_MACHINE_ID: 'chaos-m3' })

  const long = await submit(a.url, sleepy)
  await until(b.url, long.id, j => j.status === 'running')
  const cancelAt = Date.now()
  const answer = await api(b.url, `/api/jobs/${long.id}/cancel`, { method: 'POST', body: '{}' })
  assert.equal(answer.status, 'cancelling')
  const cancelled = await until(a.url, long.id, j => FINAL.includes(j.status), 30_000)
  assert.equal(cancelled.status, 'cancelled', runner.output().slice(-3000))
  t.diagnostic(`cancel via B → cancelled in ${Date.now() - cancelAt} ms`)

  const job = await submit(a.url, { workload: { id: 'sleep', params: { ms: 300 } }, tasks: 1, executors: ['serialized'], repetitions: 6, warmup: 0 })
  const ws = (url: string): string => `${url.replace('http', 'ws')}/api/jobs/${job.id}/stream`
  const [ofA, ofB] = await Promise.all([connect(t, ws(a.url)), connect(t, ws(b.url))])
  await Promise.all([ofA.next(m => m.type === 'run.finished'), ofB.next(m => m.type === 'run.finished')])
  a.child.kill('SIGKILL')
  await a.exited
  const killedAt = Date.now()
  await ofA.closed
  const lastSeen = ofA.messages.at(-1).seq as number
  const again = await connect(t, ws(b.url))
  const reconnectMs = Date.now() - killedAt
  const snapshot = await again.next(m => m.type === 'snapshot')
  assert.ok(snapshot.seq >= lastSeen, `the other instance's snapshot (seq ${snapshot.seq}) is not behind what the client saw (seq ${lastSeen})`)

  await Promise.all([ofB.closed, again.closed])
  const done = await api(b.url, `/api/jobs/${job.id}`)
  assert.equal(done.status, 'finished')
  assert.equal(done.runs.length, 6)
  for (const [name, client] of [['B\'s client', ofB], ['A\'s client, reconnected to B', again]] as const) {
    const { from, events } = eventsOf(client)
    assertGapFree(events, from, name)
    assert.equal(events.at(-1)?.type, 'job.finished', name)
  }
  assert.equal(eventsOf(ofB).events.at(-1)?.seq, eventsOf(again).events.at(-1)?.seq, 'both clients end on the same seq: the job\'s own counter')
  assert.equal(eventsOf(ofB).events.filter(m => m.type === 'run.finished').length, 6, 'B\'s client saw every run, A\'s death notwithstanding')
  t.diagnostic(`kill -9 of API A → its client streaming again from B ${reconnectMs} ms later (a new connection and snapshot)`)
})

test('PostgreSQL restart mid-job: the runner and the API listeners recover, the job finishes, the next job runs, the client sees the end', async (t) => {
  const db = await cluster.database(t)
  // A lease longer than the outage: a database restart is no reason to give up a job whose runner lives.
  const env = { DATABASE_URL: db, ...LEASES, RUNNER_LEASE_MS: '15000' }
  const server = await startServer(t, { ...env, RUNNER: 'off' })
  const runner = await spawnRunner(t, { ...env, RUNNER_NAME: 'survivor', RUNNER_MACHINE_ID: 'chaos-m4' })
  const job = await submit(server.url, { workload: { id: 'sleep', params: { ms: 3000 } }, tasks: 1, executors: ['serialized'], repetitions: 2, warmup: 0 })
  const client = await connect(t, `${server.url.replace('http', 'ws')}/api/jobs/${job.id}/stream`)
  await step('run.started', client.next(m => m.type === 'run.started'), server, runner)

  const everything = await connect(t, `${server.url.replace('http', 'ws')}/api/stream`)
  await everything.next(m => m.type === 'snapshot')

  const stopAt = Date.now()
  await cluster.stop()
  const downMs = Date.now() - stopAt
  await cluster.start()
  const backAt = Date.now()
  // The API's listener LISTENs again and, since NOTIFYs sent meanwhile are lost for good, gives its
  // clients a fresh snapshot from the tables.
  await step('a snapshot after the restart', everything.next(m => m.type === 'snapshot' && everything.messages.indexOf(m) > 0, 30_000), server, runner)
  const listenMs = Date.now() - backAt
  let next: any
  while (next === undefined) {
    next = await submit(server.url, tiny).catch(async () => { await new Promise(resolve => setTimeout(resolve, 50)) })
  }
  await step('lock again', said(runner, 'machine lock taken again'), server)
  const lockMs = Date.now() - backAt

  const done = await until(server.url, job.id, j => FINAL.includes(j.status), 60_000)
  assert.equal(done.status, 'finished', `${JSON.stringify(done.error)}\n${runner.output().slice(-3000)}`)
  assert.equal(done.runs.length, 2)
  await client.closed
  const resynced = client.messages.findLastIndex(m => m.type === 'snapshot')
  assert.ok(resynced > 0, 'the job\'s client got a fresh snapshot after the restart')
  const events = client.messages.slice(resynced + 1)
  assertGapFree(events, client.messages[resynced].seq, 'the job\'s stream after its fresh snapshot')
  assert.equal(events.at(-1)?.type, 'job.finished', 'the client sees the end')

  const ran = await until(server.url, next.id, j => FINAL.includes(j.status))
  assert.equal(ran.status, 'finished', 'the job submitted after the restart runs')
  // The lock was taken again: a twin is still refused.
  const twin = await spawnRunner(t, { ...env, RUNNER_NAME: 'twin', RUNNER_MACHINE_ID: 'chaos-m4' }, false)
  assert.equal(await exitCode(twin), EXIT_MACHINE_BUSY, twin.output())
  t.diagnostic(`PostgreSQL stopped in ${downMs} ms; once back: the API listens again and re-snapshots its clients in ${listenMs} ms, the runner holds its machine lock again in ${lockMs} ms; the job running across the restart finished (${done.runs.length} runs)`)
})
