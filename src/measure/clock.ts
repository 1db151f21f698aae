/** Below this many clock steps a task's measured span is quantized by more than 10 %. */
export const RESOLVE_STEPS = 10

let step: number | undefined

/**
 * The smallest non-zero difference between two back-to-back `performance.now()` reads, in ms: the
 * shortest span the clock tells from nothing, the cost of reading it included (~0.03–0.1 µs on
 * Linux, far more where the platform coarsens timers). Measured once per process (~1 ms); worker
 * threads and forked children read the same clock the same way.
 */
export function clockStepMs (): number {
  if (step === undefined) {
    let min = Infinity
    for (let i = 0; i < 20_000; i++) {
      const a = performance.now()
      const b = performance.now()
      if (b > a && b - a < min) min = b - a
    }
    step = Number.isFinite(min) ? min : 1e-6
  }
  return step
}

/** How well the clock that timed a run's tasks resolves them. */
export interface ClockPrecision {
  /** See clockStepMs (Node) and the harness's clock_step_ms (Python). */
  stepMs: number
  /** Tasks whose run time was shorter than RESOLVE_STEPS steps. */
  shortTasks: number
  tasks: number
}

/** Counts the tasks of packed (queueMs, runMs, returnMs) timings that the clock cannot resolve. */
export function clockPrecision (timings: Float32Array, stepMs: number): ClockPrecision {
  const limit = RESOLVE_STEPS * stepMs
  let shortTasks = 0
  for (let i = 1; i < timings.length; i += 3) if ((timings[i] as number) < limit) shortTasks++
  return { stepMs, shortTasks, tasks: timings.length / 3 }
}

/**
 * Adds to `warnings` (once per cell) that most tasks of `cell` ran shorter than the clock can
 * resolve, when they did: their per-task times then mostly measure the clock.
 */
export function noteClockPrecision (warnings: string[], cell: string, p: ClockPrecision): void {
  if (p.shortTasks * 2 <= p.tasks) return
  const prefix = `${cell}: `
  if (warnings.some(w => w.startsWith(prefix) && w.includes('steps of the clock'))) return
  const us = (ms: number): string => `${Number((ms * 1000).toPrecision(2))} µs`
  warnings.push(`${prefix}${p.shortTasks} of ${p.tasks} tasks ran for less than ${RESOLVE_STEPS} steps of the clock that timed them ` +
    `(one step, two back-to-back reads, is ${us(p.stepMs)} here, so under ${us(RESOLVE_STEPS * p.stepMs)}): their per-task times are ` +
    'quantized by more than 10 % and mostly measure the clock; compare wall time and throughput instead, or give each task more work')
}
