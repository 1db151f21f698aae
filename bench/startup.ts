import { fork } from 'node:child_process'
import { existsSync } from 'node:fs'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import type { ExecutorKind } from '../src/executors/index.js'
import { HEAP_MB, interleave, pairedFigures, rawPath, round, type PairedFigures, type Settings } from './lib.js'

// Cost of a fork (issue 16): how long a fresh pool takes to answer, against the bare mechanism it
// is built on — `new Worker()` / `fork()` of a one-line module to its first message, as many at once
// as the pool has workers. Ours runs from dist/ under plain node, as production does (under tsx each
// of our worker threads registers tsx first: not a production number), in a probe process that
// also runs the raw side, so both see the same process state; the sides alternate round by round.

const GOAL_RATIO = 1.5
const DIST_INDEX = fileURLToPath(new URL('../dist/executors/index.js', import.meta.url))

/** Ours and raw in milliseconds from creating the pool to every worker's first answer (ours: `start()`). */
export interface StartupRow extends PairedFigures {
  name: string
  executor: ExecutorKind
  workers: number
  /** 1-minute load average before and after this row. */
  loadAvg: [number, number]
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
      rows.push({ ...p, ...pairedFigures(runs, GOAL_RATIO), loadAvg: [round(load0), round(loadavg()[0])] })
    }
  } finally {
    const exited = new Promise(resolve => probe.once('exit', resolve))
    probe.disconnect()
    await exited
  }
  return rows
}
