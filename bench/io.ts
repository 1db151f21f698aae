import { benchCells, type CellRow } from './cells.js'
import { plan, type Settings } from './lib.js'

// I/O overlap: 5 tasks that each wait 200 ms on a timer (the seed's simulated API call). Every
// executor except serialized can overlap the waits, so ~5× is the ceiling; 4.8× leaves ~8 ms of
// dispatch and timer slack.

const TASKS = 5
const sleep = plan('sleep', { ms: 200 }, TASKS)
const GOAL = 4.8

export async function benchIo (s: Settings): Promise<CellRow[]> {
  return await benchCells(sleep, [['serialized', 1], ['async', 1], ['threaded', TASKS], ['process', TASKS]], s, (kind) =>
    kind === 'serialized' ? undefined : { goal: `≥ ${GOAL}×`, test: v => v >= GOAL })
}

export const ioPlan = sleep
