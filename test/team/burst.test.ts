import assert from 'node:assert/strict'
import { test } from 'node:test'
import pg from 'pg'
import { startServer } from '../helpers/server-process.js'
import { FINAL, LEASES, spawnRunner, teamFile } from '../helpers/team.js'
import { connect, type Client } from '../helpers/ws.js'

// Issue 14, "Done means": 200 jobs submitted in a burst across 2 API instances and 3 runners (3 machine
// identities, runners from dist/, compiled before). Every job runs exactly once, never two at a
// time on one machine identity, and a client of either instance sees each job's events gap-free.
// States and ordering are asserted, never speed.

const JOBS = 200
/** Jobs watched over a WebSocket on each instance (submitted to the other one). */
const WATCHED = 20
const trivial = { workload: { id: 'fibonacci', params: { n: 1 } }, tasks: 1, executors: ['serialized'], repetitions: 1, warmup: 0 }

const cluster = teamFile()

interface JobRow { id: string, status: string, runnerId: string | null, machineId: string | null, startedAt: Date, finishedAt: Date, attempt: number, runs: number }

test(`a burst of ${JOBS} jobs over 2 API instances and 3 runners: each runs once, one at a time per machine, events gap-free on either instance`, async (t) => {
  const began = performance.now()
  const db = await cluster().database(t)
  const sql = new pg.Client({ connectionString: db })
  // The database is dropped (WITH FORCE) when the test ends, possibly before this session closes.
  sql.on('error', () => {})
  await sql.connect()
  t.after(async () => { await sql.end() })
  // Load shedding and the queue limit out of reach: 200 POSTs at once is what this test does on purpose.
  const apiEnv = { DATABASE_URL: db, RUNNER: 'off', RATE_LIMIT_PER_MINUTE: '100000', MAX_EVENT_LOOP_DELAY_MS: '60000', QUEUE_LIMIT: String(JOBS), ...LEASES }
  const apis = await Promise.all([startServer(t, apiEnv), startServer(t, apiEnv)])
  const machines = ['burst-m1', 'burst-m2', 'burst-m3']
  const runners = await Promise.all(machines.map(async (m, i) => await spawnRunner(t, { DATABASE_URL: db, RUNNER_NAME: `r${i + 1}`, RUNNER_MACHINE_ID: m })))

  const ready = performance.now()
  // The burst: every POST in flight at once, alternately to each instance, while the runners claim.
  let retried = 0
  const submitted = await Promise.all(Array.from({ length: JOBS }, async (_, i) => {
    const job = await submit(apis[i % 2].url, { ...trivial, name: `burst ${i}` }, () => { retried++ })
    return { id: job.id as string, via: i % 2 }
  })).catch((err: Error) => { throw new Error(`${err.message}\nthe APIs said:\n${apis.map(a => a.output().split('\n').filter(l => /"level":(50|60)/.test(l)).slice(-3).join('\n')).join('\n---\n')}`) })
  assert.equal(new Set(submitted.map(j => j.id)).size, JOBS)

  // Claims go oldest first: the newest jobs of each instance are still queued now. Each is watched
  // from the other instance, so its events cross processes through LISTEN/NOTIFY.
  const newest = [...submitted].sort((a, b) => a.id < b.id ? 1 : -1)
  const watched: Array<{ id: string, client: Client }> = []
  for (const via of [0, 1]) {
    for (const j of newest.filter(x => x.via === via).slice(0, WATCHED)) {
      watched.push({ id: j.id, client: await connect(t, `${apis[1 - via].url.replace('http', 'ws')}/api/jobs/${j.id}/stream`) })
    }
  }

  // Generous: on a 2-core machine shared with other test runs each trivial job took up to 5 s (load average 22).
  const deadline = Date.now() + 300_000
  for (;;) {
    const { rows: [{ open }] } = await sql.query<{ open: number }>(`SELECT count(*)::int AS open FROM "Job" WHERE status NOT IN (${FINAL.map(s => `'${s}'`).join(', ')})`)
    if (open === 0) break
    if (Date.now() > deadline) assert.fail(`${open} of ${JOBS} jobs are not final after 300 s; runners said:\n${runners.map(r => r.output().slice(-1500)).join('\n---\n')}`)
    await new Promise(resolve => setTimeout(resolve, 200))
  }

  const { rows } = await sql.query<JobRow>(`SELECT j.id, j.status, j."runnerId", c."machineId", j."startedAt", j."finishedAt", j.attempt,
      (SELECT count(*)::int FROM "Run" r WHERE r."jobId" = j.id) AS runs
    FROM "Job" j LEFT JOIN "RunnerClaim" c ON c."runnerId" = j."runnerId" ORDER BY j."startedAt"`)
  assert.equal(rows.length, JOBS, `one job per submitted spec (${retried} POSTs were retried after a 503)`)
  const unfinished = rows.filter(r => r.status !== 'finished')
  assert.deepEqual(unfinished.map(r => `${r.id}:${r.status}`), [], 'every job finished')
  assert.deepEqual(rows.filter(r => r.runs !== 1 || r.attempt !== 1).map(r => `${r.id}: ${r.runs} runs, attempt ${r.attempt}`), [], 'each job ran exactly once: one run row (1 cell × 1 repetition), first attempt')

  // One job at a time per machine identity: a runner's jobs, in start order, never overlap.
  const byMachine = new Map<string, JobRow[]>()
  for (const r of rows) {
    assert.ok(r.machineId !== null && machines.includes(r.machineId), `job ${r.id} ran on a runner of a known machine (runner ${r.runnerId})`)
    byMachine.set(r.machineId, [...byMachine.get(r.machineId) ?? [], r])
  }
  for (const [machine, jobs] of byMachine) {
    for (let i = 1; i < jobs.length; i++) {
      const prev = jobs[i - 1]
      const next = jobs[i]
      assert.ok(next.startedAt >= prev.finishedAt, `${machine}: ${next.id} started at ${next.startedAt.toISOString()} while ${prev.id} ran until ${prev.finishedAt.toISOString()}`)
    }
  }
  assert.ok(byMachine.size >= 2, `the runners competed for the burst: ${[...byMachine].map(([m, j]) => `${m}: ${j.length}`).join(', ')}`)

  for (const { id, client } of watched) {
    await client.closed
    const [snapshot, ...events] = client.messages
    const trail = client.messages.map(m => `${m.type}:${m.seq}`).join(' ')
    assert.equal(snapshot?.type, 'snapshot', `${id}: ${trail}`)
    assert.ok(events.some(m => m.type === 'job.started'), `${id} was watched live, from before it started: ${trail}`)
    assert.equal(events.at(-1)?.type, 'job.finished', `${id}: ${trail}`)
    events.forEach((m, i) => { assert.equal(m.seq, snapshot.seq + i + 1, `${id}: seq gap-free after the snapshot: ${trail}`) })
  }
  const s = (from: number): string => `${((performance.now() - from) / 1000).toFixed(1)} s`
  t.diagnostic(`${JOBS} jobs on ${[...byMachine].map(([m, j]) => `${m}: ${j.length}`).join(', ')}; ${retried} POSTs retried after a 503; processes up in ${((ready - began) / 1000).toFixed(1)} s, burst to last check ${s(ready)}, test ${s(began)}`)
})

/**
 * POST /api/jobs as a well-behaved client: a 503 (on a loaded machine the database pool could not
 * take the transaction in time; nothing was written) is retried after about its Retry-After, a few
 * times; any other refusal fails.
 */
async function submit (url: string, spec: object, onRetry: () => void): Promise<{ id: string }> {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${url}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec), signal: AbortSignal.timeout(60_000) })
    const body = await res.json() as any
    if (res.status === 202) return body
    assert.ok(res.status === 503 && attempt < 10, `POST /api/jobs: ${res.status} ${JSON.stringify(body)} (attempt ${attempt})`)
    onRetry()
    // Jittered, so that the refused part of the burst does not come back as one wave.
    await new Promise(resolve => setTimeout(resolve, Math.min(Number(res.headers.get('retry-after') ?? '1'), 5) * 1000 * (0.5 + Math.random())))
  }
}
