import { ExecutorError } from '../../executors/errors.js'
import type { ExecutorRunResult } from '../../executors/types.js'
import { packTimings, runChecksum, type RunFailure, type RunMetrics } from '../../measure/measure-run.js'
import { getWorkload } from '../../workloads/index.js'
import type { RunOkLine } from './protocol.js'

/**
 * A harness run line as the RunMetrics a Node run produces. Everything is measured inside the
 * harness: wall time from its first dispatch to its last result, CPU and peak RSS of the harness
 * plus its pool children. Node's own process is not part of a Python run, so its event-loop delay
 * is reported as 0.
 */
export function toMetrics (line: RunOkLine, workload: string): RunMetrics {
  const result: ExecutorRunResult = {
    checksums: line.checksums,
    times: {
      dispatchedAt: Float64Array.from(line.times.dispatchedAt),
      startedAt: Float64Array.from(line.times.startedAt),
      endedAt: Float64Array.from(line.times.endedAt),
      receivedAt: Float64Array.from(line.times.receivedAt)
    },
    startedAt: line.startedAt,
    endedAt: line.endedAt,
    childCpuUserUs: 0,
    childCpuSystemUs: 0,
    childPeakRssBytes: 0,
    bytesToWorkers: line.bytesToWorkers,
    bytesFromWorkers: line.bytesFromWorkers,
    shared: line.shared
  }
  const wallMs = line.endedAt - line.startedAt
  return {
    ok: true,
    tasks: line.tasks,
    wallMs,
    startupMs: line.startupMs,
    coldWallMs: line.startupMs + wallMs,
    cpuUserMs: line.cpuUserMs,
    cpuSystemMs: line.cpuSystemMs,
    parallelism: wallMs > 0 ? (line.cpuUserMs + line.cpuSystemMs) / wallMs : 0,
    peakRssBytes: line.peakRssBytes,
    loopDelayP50Ms: 0,
    loopDelayP99Ms: 0,
    loopDelayMaxMs: 0,
    bytesToWorkers: line.bytesToWorkers,
    bytesFromWorkers: line.bytesFromWorkers,
    serialization: line.serialization,
    checksum: runChecksum(line.checksums),
    startedAt: new Date(line.startedAt),
    finishedAt: new Date(line.endedAt),
    timings: packTimings(result),
    shared: sharedResult(workload, line)
  }
}

// The same figures measureRun derives for Node runs: expected is what the tasks say they did.
function sharedResult (workload: string, line: RunOkLine): RunMetrics['shared'] {
  if (getWorkload(workload)?.sharedMemory !== true || line.shared === undefined) return undefined
  let expected = 0
  for (const c of line.checksums) expected += Number(c)
  return { expected, arrived: line.shared.arrived, lost: expected - line.shared.arrived, memorySpaces: line.shared.memorySpaces }
}

export function toFailure (err: ExecutorError | { code: string, message: string, task?: number }, tasks: number, startupMs: number, startedAt: Date): RunFailure {
  return { ok: false, tasks, code: err.code, error: err.message, task: err.task, startupMs, startedAt, finishedAt: new Date() }
}
