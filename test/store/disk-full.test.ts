// Writes on a full disk, store by store (issue 20 §1): whichever path a write fails by, the caller
// is told the disk is full, and the store takes writes again once there is room, without a restart.
// The job store's writes below are what a runner does while it measures (progress, versions,
// heartbeat): Prisma ran each in a transaction of its own whose failed COMMIT came back as
// "Transaction already closed: A rollback cannot be executed on a committed transaction" and left
// the client's transaction lock held, so that the next such write waited for ever.
import assert from 'node:assert/strict'
import { copyFileSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { hostFingerprint } from '../../src/host/fingerprint.js'
import { StoreQueue } from '../../src/jobs/queue.js'
import { createPrismaClient, type PrismaClient } from '../../src/store/client.js'
import { PrismaDb } from '../../src/store/prisma/db.js'
import { createPrismaStore } from '../../src/store/prisma-store.js'
import { tempDatabase } from '../helpers/db.js'
import { fill, mountTmpfs, noTmpfs } from '../helpers/tmpfs.js'
import { jobSpec, latch } from '../jobs/fakes.js'

const host = hostFingerprint()
const runner = { runnerId: 'r_full', hostId: host.id, runtimes: ['node'] }
/** Larger than the WAL's spare room: the write must grow a file. */
const big = ['x'.repeat(300_000)]

/** A migrated database on a fresh 2 MiB tmpfs, and how to connect to it; undefined when the test is skipped. */
async function onTmpfs (t: TestContext): Promise<{ mnt: string, file: string, connect: () => Promise<PrismaClient> } | undefined> {
  const mnt = mountTmpfs(t, '2m')
  if (mnt === undefined) return undefined
  const file = join(mnt, 'corebench.db')
  copyFileSync((await tempDatabase(t)).url.replace(/^file:/, ''), file)
  return { mnt, file, connect: async () => await createPrismaClient(`file:${file}`) }
}

test('a runner\'s write on a full disk says the disk is full; with room again the next writes go through', { skip: noTmpfs, timeout: 60_000 }, async (t) => {
  const on = await onTmpfs(t)
  if (on === undefined) return
  const { mnt, file, connect } = on
  const store = createPrismaStore(await connect(), { connect, file })
  t.after(async () => { await store.close() })
  await store.upsertHost(host)
  const queue = new StoreQueue(store)
  await queue.enqueue({ id: 'j_0000000000000000001', spec: jobSpec(), specHash: 'h', warnings: [], tasksTotal: 4 })
  const job = await queue.claim(runner)
  assert.ok(job !== undefined)
  const fillers = [fill(mnt)]
  await assert.rejects(store.updateHeldJob(job.id, runner.runnerId, { warnings: big }), (err: Error & { code?: string }) => {
    assert.match(err.message, /^the database could not be written: the disk is full \(\d+ bytes free where the database is\)$/)
    assert.equal(err.code, 'SQLITE_FULL', 'the API answers it as a full database (503)')
    return true
  })
  // Full again (the replaced client's checkpoint gave some room back): the smallest write, too.
  fillers.push(fill(mnt))
  await assert.rejects(store.heartbeatJob(job.id, runner.runnerId), /: the database could not be written: the disk is full \(/)

  for (const filler of fillers) rmSync(filler)
  // The lock a failed COMMIT held is gone with its client: these would wait for ever on it.
  assert.equal(await store.updateHeldJob(job.id, runner.runnerId, { tasksDone: 2 }), true)
  assert.deepEqual(await store.heartbeatJob(job.id, runner.runnerId), { held: true, cancelRequested: false })
  const failed = await queue.finish(job.id, runner.runnerId, 'failed', { error: 'failed: the disk is full' })
  assert.equal(failed?.status, 'failed')
  assert.equal(failed?.tasksDone, 2)
})

test('a transaction past its deadline on a full disk says the disk is full, and so does one queued behind it', { skip: noTmpfs, timeout: 60_000 }, async (t) => {
  const on = await onTmpfs(t)
  if (on === undefined) return
  const { mnt, file, connect } = on
  const db = new PrismaDb(await connect(), { connect, file, deadlineMs: 300 })
  t.after(async () => { await db.close() })
  const filler = fill(mnt)

  // The slow path: a transaction still inside its work when the deadline passes (as under load),
  // and one that waits for the adapter's lock behind it.
  let release!: () => void
  const slow = db.transaction(async tx => { await new Promise<void>(resolve => { release = resolve }); return await tx.job.count() })
  const queued = db.transaction(async tx => await tx.job.count())
  for (const call of [slow, queued]) {
    await assert.rejects(call, (err: Error & { code?: string }) => {
      assert.match(err.message, /^the database could not be written: the disk is full \(\d+ bytes free where the database is\)/)
      assert.equal(err.code, 'SQLITE_FULL')
      return true
    })
  }
  release()
  // Each failed write tries a new connection, which cannot open on the full disk: none is left open.
  const write = async (): Promise<unknown> => await db.transaction(async tx => await tx.job.updateMany({ data: { warnings: big[0] } }))
  await assert.rejects(write(), /the disk is full/)
  const files = readdirSync('/proc/self/fd').length
  for (let i = 0; i < 5; i++) await assert.rejects(write(), /the disk is full/)
  assert.ok(readdirSync('/proc/self/fd').length <= files + 1, `${readdirSync('/proc/self/fd').length} open files after 5 more failed writes, ${files} before`)
  rmSync(filler)
  assert.equal(await db.transaction(async tx => await tx.job.count()), 0, 'with room again a new client takes over')
})

test('a transaction that waited for a replacement that failed is told the disk is full, not why the new connection failed', { skip: noTmpfs, timeout: 60_000 }, async (t) => {
  const on = await onTmpfs(t)
  if (on === undefined) return
  const { mnt, file } = on
  const opening = latch()
  const failing = async (): Promise<never> => {
    opening.resolve()
    throw new Error('a new connection cannot open')
  }
  const db = new PrismaDb(await on.connect(), { connect: failing, file, deadlineMs: 300 })
  t.after(async () => { await db.close() })
  fill(mnt)

  const first = db.transaction(async tx => await tx.job.updateMany({ data: { warnings: big[0] } }))
  await opening.promise
  // The first write failed and its client is being replaced: this one waits for that.
  const second = db.transaction(async tx => await tx.job.updateMany({ data: { warnings: big[0] } }))
  for (const call of [first, second]) await assert.rejects(call, /: the database could not be written: the disk is full \(/)
})

test('a transaction longer than Prisma\'s own 5 s limit but within the deadline commits', { timeout: 60_000 }, async (t) => {
  const { url } = await tempDatabase(t)
  const db = new PrismaDb(await createPrismaClient(url), { deadlineMs: 20_000 })
  t.after(async () => { await db.close() })
  const count = await db.transaction(async (tx) => {
    await new Promise(resolve => setTimeout(resolve, 5500))
    return await tx.job.count()
  })
  assert.equal(count, 0)
})
