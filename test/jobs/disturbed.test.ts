// run-tests: alone (a quiet run must not be flagged disturbed by foreign CPU)
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import os from 'node:os'
import { test, type TestContext } from 'node:test'
import { countedRuns } from '../../src/stats/disturbed.js'
import { build } from '../helpers/app.js'
import { submit, waitFor } from '../helpers/jobs.js'

const linux = process.platform === 'linux' ? false : 'needs /proc'

/**
 * A process that spins one core OUTSIDE this process's tree (the runner runs inline here): started
 * through a shell that exits at once, so that it is re-parented away from us, as another tenant's
 * process would be.
 */
function foreignBurner (t: TestContext): number {
  const pid = Number(execFileSync('/bin/sh', ['-c', `"${process.execPath}" -e "for (;;) {}" >/dev/null 2>&1 & echo $!`], { encoding: 'utf8' }).trim())
  t.after(() => { try { process.kill(pid, 'SIGKILL') } catch {} })
  const ppid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1])
  assert.notEqual(ppid, process.pid, 'the burner is not our child')
  return pid
}

// ~100–300 ms of CPU per run: long enough for /proc/stat's 10 ms ticks.
const cpuSpec = { workload: { id: 'fibonacci', params: { n: 30 } }, tasks: 8, executors: ['serialized'], repetitions: 1, warmup: 0 }
// Only foreign CPU decides in these tests: the canary moves 12–23 % by itself on these VMs.
const onlyForeign = { DISTURBED_STEAL: '1', DISTURBED_CANARY_DRIFT: '1000' }

test('a run made while another process burns a core is flagged disturbed, kept, and redone REDO_DISTURBED times', { skip: linux }, async (t) => {
  const { app } = await build(t, { ...onlyForeign, DISTURBED_FOREIGN_CPU: '0.3', REDO_DISTURBED: '2' })
  foreignBurner(t)
  const { id } = await submit(app, cpuSpec)
  const job = await waitFor(app, id)
  assert.equal(job.status, 'finished', job.error)
  // Every try of the one fork is stored and listed: the first and its two redos.
  const runs = job.runs.filter((r: any) => r.fork === 0 && !r.warmup)
  assert.deepEqual(runs.map((r: any) => r.redo).sort(), [0, 1, 2])
  for (const r of runs) {
    assert.equal(r.disturbed, true, JSON.stringify(r))
    assert.ok(r.foreignCpu > 0.3, `the burner is foreign CPU: ${r.foreignCpu}`)
    assert.match(r.disturbedBy, /^foreign CPU /)
    assert.equal(typeof r.canaryDrift, 'number')
    assert.equal(typeof r.involuntarySwitches, 'number')
  }
  const d = job.summary.disturbance
  assert.deepEqual({ disturbed: d.disturbed, redos: d.redos, counted: d.counted }, { disturbed: 3, redos: 2, counted: 1 })
  const cell = job.summary.cells.find((c: any) => c.key === 'serialized/1')
  assert.equal(cell.runs, 1, 'the statistics count one run per fork: the last try')
  assert.ok(job.warnings.some((w: string) => /3 recorded runs were disturbed .* 2 redos were run/.test(w)), job.warnings.join('\n'))
  assert.ok(job.warnings.some((w: string) => /disturbed on every try/.test(w)), job.warnings.join('\n'))

  // A comparison says how many of its samples were disturbed.
  const cmp = (await app.inject(`/api/jobs/${id}/compare/${id}`)).json()
  assert.deepEqual(cmp.cells[0].disturbedSamples, { current: 1, baseline: 1 })
})

test('a quiet run is not flagged: foreign CPU is measured, below a threshold no other load on this machine can pass', { skip: linux }, async (t) => {
  // Other test files load this machine meanwhile; foreign CPU cannot reach every core while our
  // own CPU-bound run holds one of them.
  const { app } = await build(t, { ...onlyForeign, DISTURBED_FOREIGN_CPU: String(os.cpus().length), REDO_DISTURBED: '2' })
  const { id } = await submit(app, cpuSpec)
  const job = await waitFor(app, id)
  assert.equal(job.status, 'finished', job.error)
  assert.equal(job.runs.length, 1)
  const [run] = job.runs
  assert.equal(run.disturbed, false)
  assert.equal(run.disturbedBy, null)
  assert.equal(run.redo, 0)
  assert.ok(run.foreignCpu >= 0 && run.foreignCpu < os.cpus().length, String(run.foreignCpu))
  assert.ok(run.canaryBeforeMs > 0 && run.canaryAfterMs > 0)
  assert.deepEqual({ disturbed: job.summary.disturbance.disturbed, redos: job.summary.disturbance.redos }, { disturbed: 0, redos: 0 })
  assert.ok(!job.warnings.some((w: string) => /disturbed/.test(w)))
})

const r = (fork: number, redo: number, disturbed: boolean, id = `${fork}.${redo}`, warmup = false) => ({ id, runtime: 'node', executor: 'serialized', workers: 1, fork, warmup, redo, disturbed })

test('the statistics count the latest undisturbed try of each fork, else its last try', () => {
  const runs = [r(0, 0, true), r(0, 1, false), r(1, 0, false), r(2, 0, true), r(2, 1, true), r(2, 2, true), r(3, 0, false, 'failed warm-up', true)]
  assert.deepEqual(countedRuns(runs).map(x => x.id), ['0.1', '1.0', '2.2', 'failed warm-up'])
  // An undisturbed try wins over a later disturbed one (a redo is only made after a disturbed try, but stored order is not trusted).
  assert.deepEqual(countedRuns([r(0, 1, true), r(0, 0, false)]).map(x => x.id), ['0.0'])
  // Other cells' forks of the same index are their own.
  assert.equal(countedRuns([r(0, 0, false), { ...r(0, 0, false, 'threaded'), executor: 'threaded', workers: 2 }]).length, 2)
})
