import { ExecutorError } from '../../executors/errors.js'
import { packTimings, RunChecksum, type RunFailure, type RunMetrics } from '../../measure/measure-run.js'
import { getWorkload } from '../../workloads/index.js'
import { clockPrecision } from '../../measure/clock.js'
import type { RunOkLine, TasksLine } from './protocol.js'

/**
 * One run's per-task data, taken in order from its `tasks` lines (checked contiguous by the
 * caller) and packed as they come: no single turn of the event loop handles every task of a run.
 */
export class RunParts {
  readonly checksums: string[] = []
  readonly timings: Float32Array
  readonly checksum = new RunChecksum()
  received = 0

  constructor (tasks: number) {
    this.timings = new Float32Array(tasks * 3)
  }

  add (line: TasksLine): void {
    packTimings(line.times, this.timings, line.from)
    for (const c of line.checksums) this.checksums.push(c)
    this.checksum.add(line.checksums)
    this.received += line.checksums.length
  }
}

/**
 * A harness run line as the RunMetrics a Node run produces. Everything is measured inside the
 * harness: wall time from its first dispatch to its last result, CPU and peak RSS of the harness
 * plus its pool children. Node's own process is not part of a Python run, so its event-loop delay
 * is reported as 0.
 */
export function toMetrics (line: RunOkLine, parts: RunParts, workload: string, clockStepMs: number): RunMetrics {
  const wallMs = line.endedAt - line.startedAt
  return {
    ok: true,
    tasks: line.tasks,
    wallMs,
    startupMs: line.startupMs,
    coldWallMs: line.startupMs + wallMs,
    cpuUserMs: line.cpuUserMs,
    cpuSystemMs: line.cpuSystemMs,
    // The harness reports per-process CPU only; per-thread figures are not measured for Python.
    taskCpuMs: null,
    coordinatorCpuMs: null,
    busyCores: wallMs > 0 ? (line.cpuUserMs + line.cpuSystemMs) / wallMs : 0,
    peakRssBytes: line.peakRssBytes,
    loopDelayP50Ms: 0,
    loopDelayP99Ms: 0,
    loopDelayMaxMs: 0,
    bytesToWorkers: line.bytesToWorkers,
    bytesFromWorkers: line.bytesFromWorkers,
    serialization: line.serialization,
    checksum: parts.checksum.digest(),
    startedAt: new Date(line.startedAt),
    finishedAt: new Date(line.endedAt),
    timings: parts.timings,
    clock: clockPrecision(parts.timings, clockStepMs),
    shared: sharedResult(workload, line, parts.checksums)
  }
}

// The same figures measureRun derives for Node runs: expected is what the tasks say they did.
function sharedResult (workload: string, line: RunOkLine, checksums: string[]): RunMetrics['shared'] {
  if (getWorkload(workload)?.sharedMemory !== true || line.shared === undefined) return undefined
  let expected = 0
  for (const c of checksums) expected += Number(c)
  return { expected, arrived: line.shared.arrived, lost: expected - line.shared.arrived, memorySpaces: line.shared.memorySpaces }
}

export function toFailure (err: ExecutorError | { code: string, message: string, task?: number }, tasks: number, startupMs: number, startedAt: Date): RunFailure {
  return { ok: false, tasks, code: err.code, error: err.message, task: err.task, startupMs, startedAt, finishedAt: new Date() }
}
