import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import pg from 'pg'
import type { RunnerCommand } from '../../src/jobs/bus.js'
import type { JobEvent } from '../../src/jobs/events.js'
import { NOTIFY_LIMIT_BYTES, PgBus } from '../../src/jobs/pg-bus.js'
import { startCluster, type TestCluster } from '../helpers/postgres.js'

let cluster: TestCluster
const afters: Array<() => unknown> = []
before(async () => { cluster = await startCluster({ after: (fn: () => unknown) => { afters.push(fn) } }) })
after(async () => { for (const fn of afters.reverse()) await fn() })

function event (jobId: string, seq: number, bytes = 0): JobEvent {
  return { type: 'progress', jobId, seq, at: new Date(0).toISOString(), data: { pad: 'x'.repeat(bytes) } }
}

/** Resolves with the first `n` events the bus delivers. */
function collect (bus: PgBus, n: number): Promise<JobEvent[]> {
  const seen: JobEvent[] = []
  return new Promise(resolve => {
    const off = bus.subscribe(e => {
      seen.push(e)
      if (seen.length === n) { off(); resolve(seen) }
    })
  })
}

test('events reach every process in the order published, large ones through the spill table; commands too', async (t) => {
  const url = await cluster.database(t)
  const errors: unknown[] = []
  const a = await PgBus.connect(url, { onError: e => { errors.push(e) } })
  const b = await PgBus.connect(url, { onError: e => { errors.push(e) } })
  t.after(async () => { await a.close(); await b.close() })

  const sent: JobEvent[] = []
  for (let seq = 1; seq <= 100; seq++) {
    // Every tenth event is larger than a NOTIFY payload may be.
    sent.push(event(seq % 2 === 0 ? 'job-a' : 'job-b', seq, seq % 10 === 0 ? NOTIFY_LIMIT_BYTES + 5_000 : 10))
  }
  const atB = collect(b, sent.length)
  const atA = collect(a, sent.length)
  for (const e of sent) a.publish(e)
  assert.deepEqual(await atB, sent)
  assert.deepEqual(await atA, sent, 'the publisher hears its own events too (an API instance running the runner in-process)')

  const commands: RunnerCommand[] = []
  const got = new Promise<void>(resolve => b.onCommand(c => { commands.push(c); if (commands.length === 2) resolve() }))
  a.command({ type: 'queued', jobId: 'j1' })
  a.command({ type: 'cancel', jobId: 'j1' })
  await got
  assert.deepEqual(commands, [{ type: 'queued', jobId: 'j1' }, { type: 'cancel', jobId: 'j1' }])
  assert.deepEqual(errors, [])
})

test('a PostgreSQL restart: both sessions reconnect, events published meanwhile are sent after, the process lives', async (t) => {
  const url = await cluster.database(t)
  const errors: unknown[] = []
  let reconnected!: () => void
  const back = new Promise<void>(resolve => { reconnected = resolve })
  const a = await PgBus.connect(url, { onError: e => { errors.push(e) }, backoffMs: [50, 100, 200] })
  const b = await PgBus.connect(url, { onError: e => { errors.push(e) }, onReconnect: () => { reconnected() }, backoffMs: [50, 100, 200] })
  t.after(async () => { await a.close(); await b.close() })

  await cluster.stop()
  // Published while the database is down: held, not lost and not thrown.
  a.publish(event('job-r', 1))
  a.publish(event('job-r', 2, NOTIFY_LIMIT_BYTES + 100))
  await cluster.start()
  await back
  await a.drain()
  const spilled = new pg.Client({ connectionString: url })
  await spilled.connect()
  const { rows } = await spilled.query<{ n: number }>(`SELECT count(*)::int AS n FROM "_corebench_event_spill" WHERE "jobId" = 'job-r'`)
  await spilled.end()
  assert.equal(rows[0].n, 1, 'the large event published during the outage was written once the database was back')

  const later = collect(b, 1)
  a.publish(event('job-r', 3))
  assert.deepEqual(await later, [event('job-r', 3)])
  assert.ok(errors.length > 0, 'the outage was reported, not hidden')
})
