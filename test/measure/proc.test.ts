import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseInvoluntarySwitches, parsePidStat, parseProcStat, treeDeltaMs } from '../../src/measure/proc.js'
import { disturbedBy, type Disturbance } from '../../src/measure/disturbance.js'

// The head of /proc/stat on a 2-vCPU VM (proc(5): user nice system idle iowait irq softirq steal guest guest_nice).
const PROC_STAT = `cpu  1705160 85 227026 441877 2257 0 3631 10755 0 0
cpu0 838523 41 112455 236787 591 0 1643 5415 0 0
cpu1 866637 43 114570 205089 1665 0 1988 5339 0 0
intr 123456 0 9 0
ctxt 987654
`

test('/proc/stat: busy, steal and all from the aggregate cpu line, in ms', () => {
  const t = parseProcStat(PROC_STAT)
  assert.deepEqual(t, {
    busyMs: (1705160 + 85 + 227026 + 0 + 3631) * 10,
    stealMs: 10755 * 10,
    allMs: (1705160 + 85 + 227026 + 0 + 3631 + 441877 + 2257 + 10755) * 10
  })
  // Kernels before 2.6.11 stop after softirq: no steal column means no steal.
  assert.equal(parseProcStat('cpu  10 0 10 80 0 0 0\n')?.stealMs, 0)
  assert.equal(parseProcStat('intr 1 2 3\n'), undefined)
})

test('/proc/<pid>/status: nonvoluntary_ctxt_switches', () => {
  const status = 'Name:\tnode\nState:\tR (running)\nThreads:\t11\nvoluntary_ctxt_switches:\t1523\nnonvoluntary_ctxt_switches:\t87\n'
  assert.equal(parseInvoluntarySwitches(status), 87)
  assert.equal(parseInvoluntarySwitches('Name:\tnode\n'), undefined)
})

test('/proc/<pid>/stat: the parent and the CPU of the process and its reaped children, past a name with spaces and parentheses', () => {
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime …
  const line = '4242 (node (a) b) S 4200 4242 4200 0 -1 4194304 100 0 0 0 250 30 12 8 20 0 11 0 1000 0 0'
  assert.deepEqual(parsePidStat(line), { ppid: 4200, cpuMs: (250 + 30 + 12 + 8) * 10 })
})

test('tree CPU between snapshots: new processes count whole, a reaped one gives back what it had before', () => {
  const a = new Map([[1, 100], [2, 50]])
  // 2 was reaped: its 50 + 10 more moved into 1's cutime; 3 is new.
  const b = new Map([[1, 100 + 60 + 5], [3, 20]])
  assert.equal(treeDeltaMs(a, b), 65 + 20 - 50)
  assert.equal(treeDeltaMs(b, b), 0)
})

const quiet: Disturbance = { foreignCpu: 0.1, steal: 0, involuntarySwitches: 3, canaryBeforeMs: 1, canaryAfterMs: 1.1, canaryDrift: 0.1 }
const limits = { foreignCpu: 0.5, steal: 0.1, canaryDrift: 0.5 }

test('a run is disturbed past any threshold, foreign CPU named first; unmeasured figures never disturb', () => {
  assert.equal(disturbedBy(quiet, limits), null)
  assert.equal(disturbedBy({ ...quiet, foreignCpu: null, steal: null, canaryDrift: null }, { foreignCpu: 0, steal: 0, canaryDrift: 0 }), null)
  assert.equal(disturbedBy({ ...quiet, foreignCpu: 0.93 }, limits), 'foreign CPU 0.93 cores > 0.5')
  assert.equal(disturbedBy({ ...quiet, steal: 0.2 }, limits), 'steal 20 % > 10 %')
  // A canary that got faster over the run means the host was slowed before it: disturbed too.
  assert.equal(disturbedBy({ ...quiet, canaryDrift: -0.6 }, limits), 'canary drift -60 % beyond ±50 %')
  assert.equal(disturbedBy({ ...quiet, foreignCpu: 1, canaryDrift: 0.7 }, limits), 'foreign CPU 1.00 cores > 0.5; canary drift +70 % beyond ±50 %')
})
