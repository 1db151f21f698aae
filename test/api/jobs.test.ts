import assert from 'node:assert/strict'
import { test } from 'node:test'
import { build } from '../helpers/app.js'
import { quickSpec, slowSpec, submit, waitFor } from '../helpers/jobs.js'

test('submit → queued → run → stored → read back with runs and summaries', async (t) => {
  const { app } = await build(t)
  const accepted = await submit(app, { ...quickSpec, name: 'fib smoke', tags: { branch: 'main' } })
  assert.equal(accepted.status, 'queued')
  assert.match(accepted.id, /^j_/)

  const job = await waitFor(app, accepted.id)
  assert.equal(job.status, 'finished', job.error)
  assert.equal(job.name, 'fib smoke')
  assert.deepEqual(job.tags, { branch: 'main' })
  assert.equal(job.spec.warmup, 1)
  assert.equal(job.spec.taskTimeoutMs, 30_000, 'defaults filled')
  assert.equal(job.hostId, app.host.id)
  assert.ok(job.startedAt !== null && job.finishedAt !== null)
  // 2 cells × 3 recorded repetitions; warm-up runs are not stored.
  assert.equal(job.runs.length, 6)
  assert.ok(job.runs.every((r: any) => r.ok && r.verified === true && r.wallMs > 0 && r.tasks === 8))
  // 2 cells × 3 forks × (1 warm-up + 1 recorded) × 8 tasks.
  assert.deepEqual(job.progress, { tasksDone: 96, tasksTotal: 96, current: null, cells: [] })
  // Every repetition started its own pool: three separate start-up measurements per cell.
  const startups = job.runs.filter((r: any) => r.executor === 'threaded').map((r: any) => r.startupMs)
  assert.ok(startups.every((s: number) => s > 0), `each fork timed its pool start: ${startups.join(', ')}`)
  assert.equal(new Set(startups).size, 3, `not one shared pool: ${startups.join(', ')}`)
  // Interleaved, the order rotating each round (CELL_ORDER=rotate): serialized first, then threaded first, …
  assert.deepEqual(job.runs.map((r: any) => r.executor), ['serialized', 'threaded', 'threaded', 'serialized', 'serialized', 'threaded'])
  const serial = job.summary.cells.find((c: any) => c.key === 'serialized/1')
  assert.equal(serial.speedup, 1)
  assert.equal(serial.runs, 3)
  const threaded = job.summary.cells.find((c: any) => c.key === 'threaded/1')
  assert.ok(threaded.speedup > 0 && threaded.verified === true)
  // fib(18) × 8 runs for well under a millisecond: the job says its numbers are fragile.
  assert.ok(job.warnings.some((w: string) => /runs are short \(median [\d.]+ ms\)/.test(w)), JSON.stringify(job.warnings))
})

test('a preset with overrides runs the seed experiment shape', async (t) => {
  const { app } = await build(t)
  const res = await app.inject({ method: 'POST', url: '/api/jobs', payload: { preset: 'gil-cpu', workload: { id: 'fibonacci', params: { n: 20 } }, repetitions: 1, executors: ['serialized', 'async'] } })
  assert.equal(res.statusCode, 202, res.body)
  assert.ok(res.json().warnings.some((w: string) => /repetition/.test(w)))
  const job = await waitFor(app, res.json().id)
  assert.equal(job.status, 'finished', job.error)
  assert.deepEqual(job.spec.workload.params, { n: 20, repeat: 3 }, 'preset params merged with the override')
  assert.equal(job.spec.tasks, 8)
})

test('cancel a queued job and a running one; the runs already measured are kept', async (t) => {
  const { app } = await build(t)
  const running = await submit(app, { ...slowSpec, workload: { id: 'sleep', params: { ms: 300 } }, repetitions: 50 })
  const queued = await submit(app, quickSpec)

  await waitFor(app, running.id, j => j.runs.length >= 1)
  const c1 = await app.inject({ method: 'POST', url: `/api/jobs/${queued.id}/cancel` })
  assert.equal(c1.statusCode, 202)
  const q = await waitFor(app, queued.id)
  assert.equal(q.status, 'cancelled')
  assert.equal(q.runs.length, 0)

  const t0 = Date.now()
  assert.equal((await app.inject({ method: 'POST', url: `/api/jobs/${running.id}/cancel` })).statusCode, 202)
  const r = await waitFor(app, running.id)
  assert.equal(r.status, 'cancelled')
  assert.ok(Date.now() - t0 < 5000, 'cancel is prompt')
  assert.ok(r.runs.length >= 1 && r.runs.length < 50, 'runs before the cancel are kept')
  assert.match(r.error, /cancelled by request/)

  const again = await app.inject({ method: 'POST', url: `/api/jobs/${running.id}/cancel` })
  assert.equal(again.statusCode, 409)
  assert.equal(again.json().code, 'COREBENCH_ERR_CONFLICT')
})

test('a full queue answers 429 with Retry-After and stores nothing', async (t) => {
  const { app } = await build(t, { QUEUE_LIMIT: '1' })
  const a = await submit(app, slowSpec)
  await waitFor(app, a.id, j => j.status === 'running')
  await submit(app, quickSpec) // queued: the queue is now full
  const res = await app.inject({ method: 'POST', url: '/api/jobs', payload: quickSpec })
  assert.equal(res.statusCode, 429)
  assert.equal(res.headers['retry-after'], '30')
  assert.equal(res.json().code, 'COREBENCH_ERR_QUEUE_FULL')
  const list = (await app.inject('/api/jobs')).json()
  assert.equal(list.items.length, 2)
  await app.inject({ method: 'POST', url: `/api/jobs/${a.id}/cancel` })
})

test('a job whose runs fail is failed with the reason, and the next job still runs', async (t) => {
  const { app } = await build(t)
  const bad = await submit(app, { workload: { id: 'fibonacci', params: { n: 40, repeat: 20 } }, tasks: 1, executors: ['serialized'], repetitions: 2, warmup: 0, taskTimeoutMs: 200 })
  const good = await submit(app, quickSpec)
  const b = await waitFor(app, bad.id)
  assert.equal(b.status, 'failed')
  assert.match(b.error, /1 of 1 cells failed: serialized\/1 repetition 1 of 2: COREBENCH_ERR_TASK_TIMEOUT: task 0 ran longer than the task timeout of 200 ms/)
  assert.equal(b.runs.length, 1, 'the failed run is stored, later repetitions of the broken cell are skipped')
  assert.equal(b.runs[0].ok, false)
  assert.equal((await waitFor(app, good.id)).status, 'finished')
})

test('reports: json, csv and md downloads of the summary', async (t) => {
  const { app } = await build(t)
  const { id } = await submit(app, quickSpec)
  await waitFor(app, id)

  const md = await app.inject(`/api/jobs/${id}/report?format=md`)
  assert.equal(md.statusCode, 200)
  assert.match(String(md.headers['content-type']), /^text\/markdown/)
  assert.match(String(md.headers['content-disposition']), new RegExp(`attachment; filename="corebench-${id}.md"`))
  assert.match(md.body, /\| executor \| workers \| median wall/)
  assert.match(md.body, /\| threaded \| 1 \| [\d.]+ ms/)

  const csv = await app.inject(`/api/jobs/${id}/report?format=csv`)
  const lines = csv.body.trim().split('\n')
  assert.equal(lines.length, 3)
  assert.match(lines[0] as string, /^runtime,executor,workers,runs,failed,median_wall_ms/)
  assert.match(lines[1] as string, /^node,serialized,1,3,0,/)

  const json = (await app.inject(`/api/jobs/${id}/report?format=json`)).json()
  assert.equal(json.summary.cells.length, 2)
  assert.equal(json.host.id, app.host.id)

  assert.equal((await app.inject(`/api/jobs/${id}/report?format=xml`)).statusCode, 400)
})

test('delete: 409 while running, 204 when finished, then 404', async (t) => {
  const { app } = await build(t)
  const slow = await submit(app, slowSpec)
  await waitFor(app, slow.id, j => j.status === 'running')
  const busy = await app.inject({ method: 'DELETE', url: `/api/jobs/${slow.id}` })
  assert.equal(busy.statusCode, 409)
  await app.inject({ method: 'POST', url: `/api/jobs/${slow.id}/cancel` })
  await waitFor(app, slow.id)
  assert.equal((await app.inject({ method: 'DELETE', url: `/api/jobs/${slow.id}` })).statusCode, 204)
  const gone = await app.inject(`/api/jobs/${slow.id}`)
  assert.equal(gone.statusCode, 404)
  assert.equal(gone.json().code, 'COREBENCH_ERR_NOT_FOUND')
})

test('list: newest first, filters and cursor pagination', async (t) => {
  const { app } = await build(t, { QUEUE_LIMIT: '100' })
  const ids: string[] = []
  // Cancelled while queued behind a running job: cheap jobs that still exist in history.
  const blocker = await submit(app, slowSpec)
  for (let i = 0; i < 5; i++) ids.push((await submit(app, { ...quickSpec, tags: { n: String(i), branch: i % 2 === 0 ? 'main' : 'dev' } })).id)
  const page1 = (await app.inject('/api/jobs?limit=2')).json()
  assert.deepEqual(page1.items.map((j: any) => j.id), [ids[4], ids[3]])
  const page2 = (await app.inject(`/api/jobs?limit=2&cursor=${page1.nextCursor}`)).json()
  assert.deepEqual(page2.items.map((j: any) => j.id), [ids[2], ids[1]])
  const page3 = (await app.inject(`/api/jobs?limit=2&cursor=${page2.nextCursor}`)).json()
  assert.deepEqual(page3.items.map((j: any) => j.id), [ids[0], blocker.id])
  assert.equal(page3.nextCursor, null)

  const main = (await app.inject('/api/jobs?tag=branch:main')).json()
  assert.deepEqual(main.items.map((j: any) => j.id), [ids[4], ids[2], ids[0]])
  assert.equal((await app.inject('/api/jobs?status=running')).json().items[0].id, blocker.id)
  assert.equal((await app.inject('/api/jobs?workload=sleep')).json().items.length, 1)
  assert.equal((await app.inject(`/api/jobs?host=${app.host.id}`)).json().items.length, 1, 'only the running job has a host yet')
  assert.equal((await app.inject('/api/jobs?limit=1000')).statusCode, 400)
  for (const id of [...ids, blocker.id]) await app.inject({ method: 'POST', url: `/api/jobs/${id}/cancel` })
})

test('catalog: every workload with its schema, and the presets', async (t) => {
  const { app } = await build(t)
  const workloads = (await app.inject('/api/workloads')).json()
  assert.equal(workloads.length, 12)
  const fib = workloads.find((w: any) => w.id === 'fibonacci')
  assert.equal(fib.kind, 'cpu')
  assert.equal(fib.params.properties.n.maximum, 40)
  assert.deepEqual(fib.defaults, { n: 30, repeat: 1 })
  const presets = (await app.inject('/api/presets')).json()
  assert.deepEqual(presets.map((p: any) => p.id), ['gil-cpu', 'gil-cpu-seed', 'gil-io', 'sum-range-pool', 'counter-race', 'gil-vs-node-cpu', 'gil-vs-node-io'])
  assert.deepEqual(presets[0].spec.workload, { id: 'fibonacci', params: { n: 31, repeat: 3 } })
})

test('a job that runs past MAX_JOB_BUDGET_MS is stopped and failed, its runs kept', async (t) => {
  // Every repetition starts a fresh worker (slow under tsx on a loaded machine): room for a few.
  const { app } = await build(t, { MAX_JOB_BUDGET_MS: '4000' })
  const { id } = await submit(app, { workload: { id: 'fibonacci', params: { n: 25 } }, tasks: 8, executors: ['serialized'], repetitions: 50, warmup: 0 })
  const job = await waitFor(app, id)
  assert.equal(job.status, 'failed')
  assert.match(job.error, /ran past its budget of 4000 ms \(MAX_JOB_BUDGET_MS\)/)
  assert.ok(job.runs.length >= 1 && job.runs.length < 50, `${job.runs.length} runs kept`)
  assert.ok(job.runs.every((r: any) => r.ok))
})

test('warnings name what will make the numbers weak, and only where it applies', async (t) => {
  const cores = (await import('../../src/host/cores.js')).usableCores()
  const { app } = await build(t)
  const many = cores + 1
  const cpu = await submit(app, { workload: { id: 'fibonacci', params: { n: 20 } }, tasks: 2, executors: ['serialized', 'threaded'], workers: [many], repetitions: 2 })
  assert.ok(cpu.warnings.some(w => w.includes(`tasks (2) < 4 × workers (${many})`)))
  assert.ok(cpu.warnings.some(w => w.includes(`workers up to ${many} on ${cores} cores`)))
  assert.ok(cpu.warnings.some(w => /only 2 repetition/.test(w)))
  const io = await submit(app, { workload: { id: 'sleep', params: { ms: 10 } }, tasks: 5, executors: ['serialized', 'threaded'], workers: [5], repetitions: 6 })
  assert.deepEqual(io.warnings, [], 'waits overlap on any number of cores')
  const noSerial = await submit(app, { workload: { id: 'sleep', params: { ms: 10 } }, tasks: 4, executors: ['async'], repetitions: 3 })
  assert.ok(noSerial.warnings.some(w => /no serialized cell/.test(w)))
  for (const j of [cpu, io, noSerial]) await app.inject({ method: 'POST', url: `/api/jobs/${j.id}/cancel` })
})
