import assert from 'node:assert/strict'
import { test } from 'node:test'
import { build } from '../helpers/app.js'
import { quickSpec, slowSpec, submit, waitFor } from '../helpers/jobs.js'
import { connect } from '../helpers/ws.js'

async function listening (t: Parameters<typeof build>[0], env: Record<string, string> = {}) {
  const built = await build(t, env)
  await built.app.listen({ port: 0, host: '127.0.0.1' })
  const addr = built.app.server.address() as { port: number }
  return { ...built, ws: `ws://127.0.0.1:${addr.port}` }
}

const LIFECYCLE = ['snapshot', 'job.started', 'run.started', 'run.finished', 'job.finished']

test('one job: snapshot first, then every lifecycle event in order with seq increasing, then a normal close', async (t) => {
  const { app, ws } = await listening(t)
  const blocker = await submit(app, slowSpec)
  const job = await submit(app, quickSpec)
  const client = await connect(t, `${ws}/api/jobs/${job.id}/stream`)
  await client.next(m => m.type === 'snapshot')
  await app.inject({ method: 'POST', url: `/api/jobs/${blocker.id}/cancel` })
  const { code } = await client.closed

  assert.equal(code, 1000)
  const types = client.messages.map(m => m.type)
  assert.equal(types[0], 'snapshot')
  assert.equal(client.messages[0].data.status, 'queued')
  assert.equal(types.at(-1), 'job.finished')
  assert.equal(types[1], 'job.started')
  // 2 cells × 3 forks × (1 warm-up + 1 recorded) runs start; the 6 recorded ones are announced when stored.
  assert.equal(types.filter(t => t === 'run.started').length, 12)
  assert.equal(types.filter(t => t === 'run.finished').length, 6)
  assert.ok(types.includes('progress'))
  for (let i = 1; i < client.messages.length; i++) {
    assert.ok(client.messages[i].seq > client.messages[i - 1].seq, `seq increases at message ${i}`)
    assert.equal(client.messages[i].jobId, job.id)
  }
  // Each fork: its warm-up starts, its recorded run starts, and that one is announced when stored.
  const order = types.filter(t => t === 'run.started' || t === 'run.finished')
  assert.deepEqual(order, Array.from({ length: 6 }, () => ['run.started', 'run.started', 'run.finished']).flat())
  const forks = client.messages.filter(m => m.type === 'run.started').map(m => `${m.data.executor}:${m.data.fork}:${m.data.warmup ? 'w' : 'r'}`)
  // One fork of each cell per round, the order rotating from round to round (CELL_ORDER=rotate).
  const rounds = [['serialized', 'threaded'], ['threaded', 'serialized'], ['serialized', 'threaded']]
  assert.deepEqual(forks, rounds.flatMap((order, f) => order.flatMap(e => [`${e}:${f}:w`, `${e}:${f}:r`])))
  const last = client.messages.at(-1)
  assert.equal(last.data.status, 'finished')
})

test('a late joiner gets a snapshot with the runs so far, then live events after it', async (t) => {
  const { app, ws } = await listening(t)
  const job = await submit(app, { ...slowSpec, workload: { id: 'sleep', params: { ms: 150 } }, repetitions: 20 })
  await waitFor(app, job.id, j => j.runs.length >= 2)
  const client = await connect(t, `${ws}/api/jobs/${job.id}/stream`)
  const snap = await client.next(m => m.type === 'snapshot')
  assert.equal(snap.data.status, 'running')
  assert.ok(snap.data.runs.length >= 2)
  const live = await client.next(m => m.type === 'run.finished')
  assert.ok(live.seq > snap.seq)
  assert.ok(!snap.data.runs.some((r: any) => r.id === live.data.id), 'live runs are new ones')
  await app.inject({ method: 'POST', url: `/api/jobs/${job.id}/cancel` })
  const end = await client.next(m => m.type === 'job.cancelled')
  assert.equal(end.data.status, 'cancelled')
  assert.equal((await client.closed).code, 1000)
})

test('a client joining after the end gets the final snapshot and the terminal event, then a normal close', async (t) => {
  const { app, ws } = await listening(t)
  const job = await submit(app, quickSpec)
  await waitFor(app, job.id)
  const client = await connect(t, `${ws}/api/jobs/${job.id}/stream`)
  assert.equal((await client.closed).code, 1000)
  assert.deepEqual(client.messages.map(m => m.type), ['snapshot', 'job.finished'])
  assert.equal(client.messages[0].data.runs.length, 6)
})

test('an unknown job id gets an error frame and close code 4404; the server carries on', async (t) => {
  const { app, ws } = await listening(t)
  const client = await connect(t, `${ws}/api/jobs/j_0000000000000000000/stream`)
  const { code } = await client.closed
  assert.equal(code, 4404)
  assert.equal(client.messages[0].type, 'error')
  assert.equal(client.messages[0].data.code, 'COREBENCH_ERR_NOT_FOUND')
  assert.equal((await app.inject('/api/health')).statusCode, 200)
})

test('50 concurrent subscribers (global and per job) all receive every lifecycle event', async (t) => {
  const { app, ws } = await listening(t)
  const blocker = await submit(app, slowSpec)
  const job = await submit(app, quickSpec)
  const clients = await Promise.all(Array.from({ length: 50 }, async (_, i) => await connect(t, i % 2 === 0 ? `${ws}/api/stream` : `${ws}/api/jobs/${job.id}/stream`)))
  await Promise.all(clients.map(async c => await c.next(m => m.type === 'snapshot')))
  assert.equal(app.streams.clients, 50)
  await app.inject({ method: 'POST', url: `/api/jobs/${blocker.id}/cancel` })
  await Promise.all(clients.map(async c => await c.next(m => m.type === 'job.finished' && m.jobId === job.id)))
  for (const c of clients) {
    const mine = c.messages.filter(m => m.jobId === job.id).map(m => m.type).filter(t => LIFECYCLE.includes(t))
    assert.equal(mine.filter(t => t === 'job.started').length, 1)
    assert.equal(mine.filter(t => t === 'run.started').length, 12)
    assert.equal(mine.filter(t => t === 'run.finished').length, 6)
    assert.equal(mine.filter(t => t === 'job.finished').length, 1)
  }
  const global = clients[0] as Awaited<ReturnType<typeof connect>>
  assert.deepEqual(global.messages[0].data.jobs.map((j: any) => j.id), [blocker.id, job.id], 'global snapshot: running, then queued')
  assert.ok(global.messages.some(m => m.type === 'job.cancelled' && m.jobId === blocker.id))
})

test('a paused client does not slow the job; others still get everything', async (t) => {
  const { app, ws } = await listening(t)
  const job = await submit(app, { ...quickSpec, tasks: 2000, workload: { id: 'fibonacci', params: { n: 10 } } })
  const paused = await connect(t, `${ws}/api/jobs/${job.id}/stream`)
  const normal = await connect(t, `${ws}/api/jobs/${job.id}/stream`)
  ;(paused.ws as any)._socket.pause()
  const done = await normal.next(m => m.type === 'job.finished', 60_000)
  assert.equal(done.data.status, 'finished')
  assert.equal((await normal.closed).code, 1000)
})

test('shutdown closes every stream client with 1001', async (t) => {
  const { app, ws } = await listening(t)
  const c1 = await connect(t, `${ws}/api/stream`)
  const job = await submit(app, slowSpec)
  const c2 = await connect(t, `${ws}/api/jobs/${job.id}/stream`)
  await c2.next(m => m.type === 'snapshot')
  await app.close()
  assert.equal((await c1.closed).code, 1001)
  const last = c2.messages.at(-1)
  // The running job is cancelled on shutdown; its subscribers hear that before the socket closes.
  assert.ok(last.type === 'job.cancelled' || (await c2.closed).code === 1001)
  assert.equal(app.streams.clients, 0)
})

test('polling: ETag and 304, immutable cache for a finished job', async (t) => {
  const { app } = await build(t)
  const blocker = await submit(app, slowSpec)
  const job = await submit(app, quickSpec)
  const first = await app.inject(`/api/jobs/${job.id}`)
  const etag = first.headers.etag as string
  assert.match(etag, /^"[\w-]+"$/)
  assert.equal(first.headers['cache-control'], 'no-cache')
  const again = await app.inject({ url: `/api/jobs/${job.id}`, headers: { 'if-none-match': etag } })
  assert.equal(again.statusCode, 304)
  assert.equal(again.body, '')
  await app.inject({ method: 'POST', url: `/api/jobs/${blocker.id}/cancel` })
  await waitFor(app, job.id)
  const done = await app.inject({ url: `/api/jobs/${job.id}`, headers: { 'if-none-match': etag } })
  assert.equal(done.statusCode, 200, 'the job changed, so the old ETag no longer matches')
  assert.notEqual(done.headers.etag, etag)
  assert.match(String(done.headers['cache-control']), /immutable/)
})

test('/metrics parses and counts a finished job', async (t) => {
  const { app } = await build(t)
  const job = await submit(app, quickSpec)
  await waitFor(app, job.id)
  const res = await app.inject('/metrics')
  assert.equal(res.statusCode, 200)
  assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/)
  const metrics = new Map<string, number>()
  for (const line of res.body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/.exec(line)
    assert.ok(m !== null, `a valid exposition line: ${line}`)
    metrics.set(m[1] as string, Number(m[2]))
  }
  assert.equal(metrics.get('corebench_jobs{status="finished"}'), 1)
  assert.equal(metrics.get('corebench_queue_depth'), 0)
  assert.equal(metrics.get('corebench_runs_total{runtime="node",executor="serialized",outcome="ok"}'), 3)
  assert.equal(metrics.get('corebench_runs_total{runtime="node",executor="threaded",outcome="ok"}'), 3)
  assert.equal(metrics.get('corebench_tasks_total'), 96)
  assert.equal(metrics.get('corebench_run_duration_seconds_count{runtime="node",executor="threaded"}'), 3)
  assert.equal(metrics.get('corebench_stream_clients'), 0)
  assert.ok((metrics.get('corebench_process_resident_memory_bytes') ?? 0) > 0, 'default process metrics')
})
