import { fork } from 'node:child_process'
import { existsSync } from 'node:fs'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import type { ExecutorKind } from '../src/executors/index.js'
import { HEAP_MB, interleave, rawPath, round, stat, type Settings, type Stat } from './lib.js'

// Cost of a fork (issue 16): how long a fresh pool takes to answer, against the bare mechanism it
// is built on — `new Worker()` / `fork()` of a one-line module to its first message, as many at once
// as the pool has workers. Ours runs from dist/ under plain node, as production does (under tsx each
// of our worker threads registers tsx first: not a production number), in a probe process that
// also runs the raw side, so both see the same process state; the sides alternate round by round.

const GOAL_RATIO = 1.5
const DIST_INDEX = fileURLToPath(new URL('../dist/executors/index.js', import.meta.url))

export interface StartupRow {
  name: string
  executor: ExecutorKind
  workers: number
  /** Milliseconds from creating the pool to every worker's first answer (ours: `start()`). */
  ours: Stat
  raw: Stat
  /** median(ours) / median(raw). */
  ratio: number
  /** Median of the per-round ratios (each round's pair ran back to back). */
  pairedRatio: number
  otherCores: Stat
  redone: number
  /** 1-minute load average before and after this row. */
  loadAvg: [number, number]
  goal: string
  met: boolean
}

const PAIRS: Array<{ name: string, executor: ExecutorKind, workers: number }> = [
  { name: 'serialized vs 1 new Worker()', executor: 'serialized', workers: 1 },
  { name: 'threaded/2 vs 2 new Worker() at once', executor: 'threaded', workers: 2 },
  { name: 'process/2 vs 2 fork() at once', executor: 'process', workers: 2 }
]

export async function benchStartup (s: Settings): Promise<StartupRow[]> {
  if (!existsSync(DIST_INDEX)) throw new Error(`bench startup: ${DIST_INDEX} is missing: run \`npm run build\` first (start-up is measured from dist/)`)
  const probe = fork(rawPath('startup-probe.mjs'), [DIST_INDEX, String(HEAP_MB)], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  await new Promise(resolve => probe.once('message', resolve))
  const ask = async (side: 'ours' | 'raw', executor: ExecutorKind, workers: number): Promise<number> => {
    const reply = new Promise<{ ms: number }>(resolve => probe.once('message', resolve))
    probe.send({ side, kind: executor, workers })
    return (await reply).ms
  }
  const rows: StartupRow[] = []
  try {
    for (const p of PAIRS) {
      const load0 = loadavg()[0]
      const runs = await interleave(s.reps, [async () => await ask('ours', p.executor, p.workers), async () => await ask('raw', p.executor, p.workers)])
      const [oursMs, rawMs] = runs.values
      const o = stat(oursMs)
      const r = stat(rawMs)
      const ratio = o.median / r.median
      rows.push({
        ...p,
        ours: o,
        raw: r,
        ratio: round(ratio, 3),
        pairedRatio: round(stat(oursMs.map((v, i) => v / rawMs[i])).median, 3),
        otherCores: stat(runs.foreign.flat()),
        redone: runs.redone[0] + runs.redone[1],
        loadAvg: [round(load0), round(loadavg()[0])],
        goal: `≤ ${GOAL_RATIO.toFixed(2)}`,
        met: ratio <= GOAL_RATIO
      })
    }
  } finally {
    const exited = new Promise(resolve => probe.once('exit', resolve))
    probe.disconnect()
    await exited
  }
  return rows
}
