import assert from 'node:assert/strict'
import { test } from 'node:test'
import { quickSpec, submit, waitFor } from '../helpers/jobs.js'
import { cli, listening } from './helpers.js'

test('baseline set makes a finished job its spec\'s baseline; list shows it; compare --baseline then finds it', async (t) => {
  const { app, url } = await listening(t)
  const spec = { ...quickSpec, executors: ['serialized'], repetitions: 2, warmup: 0 }
  const base = await submit(app, spec)
  const job = await waitFor(app, base.id)
  assert.equal(job.status, 'finished', job.error)

  // A fresh install has no baseline: compare --baseline cannot answer yet.
  assert.equal((await cli(url, ['compare', base.id, '--baseline'])).code, 2)

  const set = await cli(url, ['baseline', 'set', base.id])
  assert.equal(set.code, 0, set.err)
  assert.equal(set.out, `baseline of spec ${job.specHash as string} is now ${base.id} (${job.name as string})\n`)
  assert.deepEqual((await app.inject('/api/baselines')).json().map((b: { jobId: string }) => b.jobId), [base.id])

  const list = await cli(url, ['baseline', 'list'])
  assert.match(list.out, new RegExp(`^${job.specHash as string} +${base.id} +\\d{4}-`, 'm'))
  const compared = await cli(url, ['compare', base.id, '--baseline', '--json'])
  assert.equal(compared.code, 0, compared.err)
  assert.equal(JSON.parse(compared.out).baseline.id, base.id)
})

test('baseline set: an unknown or unfinished job is one line on stderr, exit 2', async (t) => {
  const { app, url } = await listening(t)
  const missing = await cli(url, ['baseline', 'set', 'j_0000000000000000000'])
  assert.equal(missing.code, 2)
  assert.match(missing.err, /^corebench: job j_0000000000000000000 not found \(COREBENCH_ERR_NOT_FOUND\)\n$/)
  const running = await submit(app, { workload: { id: 'sleep', params: { ms: 5000 } }, tasks: 1, executors: ['serialized'], repetitions: 1, warmup: 0 })
  const early = await cli(url, ['baseline', 'set', running.id])
  assert.equal(early.code, 2)
  assert.match(early.err, /only a finished job can be a baseline/)
  await app.inject({ method: 'POST', url: `/api/jobs/${running.id}/cancel` })
})

test('submit flags: workload, params, tasks, workers, executors, repetitions and warm-up', async (t) => {
  const { app, url } = await listening(t)
  const run = await cli(url, ['submit', '--workload', 'fibonacci', '--param', 'n=12', '--param', 'repeat=2', '--tasks', '4', '--workers', '1,2', '-e', 'serialized,threaded', '--repetitions', '2', '--warmup', '0'])
  assert.equal(run.code, 0, run.err)
  const job = (await app.inject(`/api/jobs/${run.out.trim()}`)).json()
  assert.deepEqual(job.spec.workload, { id: 'fibonacci', params: { n: 12, repeat: 2 } })
  assert.equal(job.spec.tasks, 4)
  assert.deepEqual(job.spec.workers, [1, 2])
  assert.deepEqual(job.spec.executors, ['serialized', 'threaded'])
  assert.equal(job.spec.repetitions, 2)
  assert.equal(job.spec.warmup, 0)
  // --param on a preset merges into the preset's workload.
  const preset = await cli(url, ['submit', '--preset', 'gil-cpu', '--param', 'n=20', '--repetitions', '1', '-e', 'serialized'])
  assert.equal(preset.code, 0, preset.err)
  assert.deepEqual((await app.inject(`/api/jobs/${preset.out.trim()}`)).json().spec.workload.params, { n: 20, repeat: 3 })

  const bad = await cli(url, ['submit', '--workload', 'fibonacci', '--tasks', '0'])
  assert.equal(bad.code, 2)
  assert.match(bad.err, /^corebench: .*--tasks takes a whole number of 1 or more, got "0" \(EUSAGE\)\n$/)
  const param = await cli(url, ['submit', '--workload', 'fibonacci', '--param', 'n'])
  assert.match(param.err, /--param takes key=value, got "n"/)
})
