import type { RunOutcome } from '../measure/measure-run.js'
import { newId } from '../store/ids.js'
import type { RunRecord } from '../store/types.js'
import type { RunRef } from './events.js'

/**
 * What is stored for one run, Node's or Python's alike. `reference` is the job's first serialized
 * checksum: every run of every runtime must match it. `noise` says whether the run was disturbed
 * and which try of its fork it is (default: not disturbed, the first try).
 */
export function toRunRecord (ref: RunRef, o: RunOutcome, reference: string | undefined, noise: Pick<RunRecord, 'disturbedBy' | 'redo'> = { disturbedBy: null, redo: 0 }): RunRecord {
  const d = o.ok ? o.disturbance : undefined
  const common = {
    id: newId('r'), jobId: ref.jobId, runtime: ref.runtime, executor: ref.executor, workers: ref.workers, fork: ref.fork, warmup: ref.warmup, attempt: ref.attempt, tasks: o.tasks, startedAt: o.startedAt, finishedAt: o.finishedAt,
    foreignCpu: d?.foreignCpu ?? null, steal: d?.steal ?? null, involuntarySwitches: d?.involuntarySwitches ?? null, canaryBeforeMs: d?.canaryBeforeMs ?? null, canaryAfterMs: d?.canaryAfterMs ?? null, canaryDrift: d?.canaryDrift ?? null,
    disturbed: noise.disturbedBy !== null, disturbedBy: noise.disturbedBy, redo: noise.redo
  }
  if (!o.ok) {
    return {
      ...common, ok: false, error: { code: o.code, message: o.error }, wallMs: 0, startupMs: o.startupMs, coldWallMs: 0, cpuUserMs: 0, cpuSystemMs: 0, taskCpuMs: null, coordinatorCpuMs: null, busyCores: 0,
      peakRssBytes: 0, loopDelayP50Ms: 0, loopDelayP99Ms: 0, loopDelayMaxMs: 0, bytesToWorkers: 0, bytesFromWorkers: 0, serialization: null, checksum: null, verified: null, shared: null
    }
  }
  return {
    ...common,
    ok: true,
    error: null,
    wallMs: o.wallMs,
    startupMs: o.startupMs,
    coldWallMs: o.coldWallMs,
    cpuUserMs: o.cpuUserMs,
    cpuSystemMs: o.cpuSystemMs,
    taskCpuMs: o.taskCpuMs,
    coordinatorCpuMs: o.coordinatorCpuMs,
    busyCores: o.busyCores,
    peakRssBytes: o.peakRssBytes,
    loopDelayP50Ms: o.loopDelayP50Ms,
    loopDelayP99Ms: o.loopDelayP99Ms,
    loopDelayMaxMs: o.loopDelayMaxMs,
    bytesToWorkers: o.bytesToWorkers,
    bytesFromWorkers: o.bytesFromWorkers,
    serialization: o.serialization,
    checksum: o.checksum,
    verified: reference === undefined ? null : o.checksum === reference,
    shared: o.shared ?? null
  }
}


/** A run as events and views carry it: the record with its dates as ISO strings. */
export function runData<T extends { startedAt: Date, finishedAt: Date }> (run: T): Omit<T, 'startedAt' | 'finishedAt'> & { startedAt: string, finishedAt: string } {
  return { ...run, startedAt: run.startedAt.toISOString(), finishedAt: run.finishedAt.toISOString() }
}
