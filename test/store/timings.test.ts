// Per-task timings of large runs are stored in parts (issue 15 §5); old single-row timings stay readable.
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { createPrismaClient, type PrismaClient } from '../../src/store/client.js'
import { createPrismaStore } from '../../src/store/prisma-store.js'
import type { RunRecord, Store } from '../../src/store/types.js'
import type { JobSpec } from '../../src/schemas/job.js'
import { tempDatabase } from '../helpers/db.js'

async function open (t: TestContext): Promise<{ store: Store, prisma: PrismaClient }> {
  const db = await tempDatabase(t)
  const prisma = await createPrismaClient(db.url)
  const store = createPrismaStore(prisma)
  t.after(async () => { await store.close() })
  await store.createJob({ id: 'j1', spec: { name: 'timings', tags: {}, workload: { id: 'sleep', params: {} } } as unknown as JobSpec, specHash: 'h', warnings: [], tasksTotal: 1 })
  return { store, prisma }
}

function run (id: string, tasks: number): RunRecord {
  const at = new Date()
  return {
    id, jobId: 'j1', runtime: 'node', executor: 'serialized', workers: 1, fork: 0, warmup: false, ok: true, error: null, tasks, wallMs: 1, startupMs: 1, coldWallMs: 2,
    cpuUserMs: 1, cpuSystemMs: 0, busyCores: 1, peakRssBytes: 1, loopDelayP50Ms: 0, loopDelayP99Ms: 0, loopDelayMaxMs: 0, bytesToWorkers: 0, bytesFromWorkers: 0,
    serialization: 'none', checksum: 'c', verified: null, shared: null, startedAt: at, finishedAt: at
  } as RunRecord
}

function timings (tasks: number): Float32Array<ArrayBuffer> {
  const t = new Float32Array(tasks * 3)
  for (let i = 0; i < t.length; i++) t[i] = i * 0.001 + 1e-6
  return t
}

test('timings of any size come back exactly as stored; a large run is stored in parts', async (t) => {
  const { store, prisma } = await open(t)
  for (const tasks of [1, 16_384, 16_385, 50_000]) {
    const sent = timings(tasks)
    await store.insertRun(run(`r${tasks}`, tasks), sent)
    assert.deepEqual(await store.getTimings(`r${tasks}`), sent, `${tasks} tasks`)
  }
  assert.equal(await prisma.taskTimingPart.count({ where: { runId: 'r16384' } }), 0)
  assert.equal(await prisma.taskTimingPart.count({ where: { runId: 'r50000' } }), 3)
  assert.equal(await store.getTimings('nothing'), undefined)
  await store.insertRun(run('none', 4), undefined)
  assert.equal(await store.getTimings('none'), undefined)
  await store.deleteJob('j1')
  assert.equal(await prisma.taskTimingPart.count(), 0, 'parts go with their run')
})

test('a run stored before parts existed (every task in one row) is read as before; a missing part reads as no timings', async (t) => {
  const { store, prisma } = await open(t)
  const old = timings(20_000)
  await store.insertRun(run('old', 20_000), undefined)
  await prisma.taskTiming.create({ data: { runId: 'old', count: 20_000, data: new Uint8Array(old.buffer) } })
  assert.deepEqual(await store.getTimings('old'), old)

  await store.insertRun(run('torn', 40_000), timings(40_000))
  await prisma.taskTimingPart.deleteMany({ where: { runId: 'torn', part: 2 } })
  assert.equal(await store.getTimings('torn'), undefined)
})
