import assert from 'node:assert/strict'
import { copyFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { build } from '../helpers/app.js'
import { tempDatabase } from '../helpers/db.js'
import { FINAL, quickSpec, submit, waitFor } from '../helpers/jobs.js'
import { fill, mountTmpfs, noTmpfs } from '../helpers/tmpfs.js'

// The database on a filesystem that fills up during a run (issue 20 §1): the job fails with the
// reason, and once there is room again the queue goes on by itself. A real tmpfs, mounted here.
async function until (ok: () => Promise<boolean>, timeoutMs = 150_000): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!await ok()) {
    if (performance.now() > deadline) assert.fail('the disk never filled up')
    await new Promise(resolve => setTimeout(resolve, 200))
  }
}

test('a full disk fails the job with the reason; with room again the next job runs, without a restart, and close does not hang', { skip: noTmpfs }, async (t) => {
  const mnt = mountTmpfs(t, '4m')
  if (mnt === undefined) return
  const file = join(mnt, 'corebench.db')
  copyFileSync((await tempDatabase(t)).url.replace(/^file:/, ''), file)
  const { app } = await build(t, { RUNNER_POLL_MS: '200' }, { databaseUrl: `file:${file}` })

  const filler = fill(mnt, 460 * 1024)
  // 10 000 tasks per run: each recorded run stores 120 kB of task timings.
  const big = await submit(app, { workload: { id: 'fibonacci', params: { n: 1 } }, tasks: 10_000, executors: ['serialized', 'threaded'], workers: [2], repetitions: 5, warmup: 0 })
  // The run that does not fit fails the job; if not even that can be written, the runner says it is
  // stalled (health 503) until there is room.
  await until(async () => {
    const job = (await app.inject(`/api/jobs/${big.id}`)).json()
    if (FINAL.includes(job.status)) return true
    const health = await app.inject('/api/health')
    return health.statusCode === 503 && health.json().code === 'COREBENCH_ERR_RUNNER_STALLED'
  })

  rmSync(filler)
  const failed = await waitFor(app, big.id, j => FINAL.includes(j.status), 60_000)
  assert.equal(failed.status, 'failed')
  assert.match(failed.error, /the disk is full \(\d+ bytes free where the database is\)/)
  const next = await submit(app, quickSpec)
  const done = await waitFor(app, next.id, j => FINAL.includes(j.status), 60_000)
  assert.equal(done.status, 'finished', done.error)
  const health = await app.inject('/api/health')
  assert.equal(health.statusCode, 200, health.body)

  const closing = performance.now()
  await app.close()
  assert.ok(performance.now() - closing < 5000, 'close does not wait on a wedged database call')
})
