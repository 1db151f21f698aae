// Test doubles for the runner's seams: latches, a fake clock, a scriptable ForkRunner and fabricated
// run outcomes. Races are driven by resolving latches, never by sleeping.
import type { ForkHooks, ForkPlan, ForkRunner } from '../../src/jobs/forks/types.js'
import { jobTasksTotal } from '../../src/schemas/cells.js'
import type { RunFailure, RunMetrics, RunOutcome } from '../../src/measure/measure-run.js'
import type { HostFingerprint } from '../../src/host/fingerprint.js'
import type { JobSpec } from '../../src/schemas/job.js'
import { newId } from '../../src/store/ids.js'
import type { NewJob } from '../../src/store/types.js'

export interface Latch<T> {
  promise: Promise<T>
  resolve: (value: T) => void
}

/** A promise and the function that settles it (Promise.withResolvers is Node 22+). */
export function latch<T = void> (): Latch<T> {
  let resolve!: (value: T) => void
  const promise = new Promise<T>(r => { resolve = r })
  return { promise, resolve }
}

/**
 * A place where a call stops once: the first `wait` resolves `reached` (with its argument) and
 * waits for `release()`; later calls pass. Put `wait` in a hook to hold a call in mid-flight.
 */
export class Hold<T = void> {
  private readonly arrived = latch<T>()
  private readonly go = latch()
  private used = false
  readonly reached = this.arrived.promise

  readonly wait = async (value: T): Promise<void> => {
    if (this.used) return
    this.used = true
    this.arrived.resolve(value)
    await this.go.promise
  }

  release (): void { this.go.resolve() }
}

/** Items arrive in order; `next()` takes the oldest one, waiting for it if none is there. */
export class Channel<T> {
  private readonly items: T[] = []
  private readonly takers: Array<(item: T) => void> = []

  push (item: T): void {
    const taker = this.takers.shift()
    if (taker !== undefined) taker(item)
    else this.items.push(item)
  }

  async next (): Promise<T> {
    if (this.items.length > 0) return this.items.shift() as T
    return await new Promise<T>(resolve => this.takers.push(resolve))
  }

  get pending (): number {
    return this.items.length
  }
}

/** Everything something reported, in order, with latches on what is still to come. */
export class Recorder<T> {
  readonly items: T[] = []
  private waiters: Array<{ ok: (item: T) => boolean, resolve: (item: T) => void }> = []

  readonly add = (item: T): void => {
    this.items.push(item)
    const ready = this.waiters.filter(w => w.ok(item))
    this.waiters = this.waiters.filter(w => !w.ok(item))
    for (const w of ready) w.resolve(item)
  }

  /** The first item, already seen or still to come, that satisfies `ok`. */
  async find (ok: (item: T) => boolean): Promise<T> {
    const seen = this.items.find(ok)
    return seen !== undefined ? seen : await this.next(ok)
  }

  /** The next item from now on that satisfies `ok`. */
  async next (ok: (item: T) => boolean): Promise<T> {
    return await new Promise<T>(resolve => this.waiters.push({ ok, resolve }))
  }
}

/** A clock that moves only when told: leases expire without waiting. */
export class FakeClock {
  private t = Date.parse('2026-01-01T00:00:00Z')
  readonly now = (): Date => new Date(this.t)
  advance (ms: number): void { this.t += ms }
}

/** A host's fingerprint with this id (a runner records its host before it claims: jobs refer to it). */
export function testHost (id: string, over: Partial<HostFingerprint> = {}): HostFingerprint {
  return { id, hostname: `host-${id}`, cpuModel: 'Test CPU', logicalCores: 64, usableCores: 64, cpuQuota: null, physicalCores: null, usablePhysicalCores: null, numaNodes: null, cpuGovernor: null, virtualMachine: false, systemVendor: null, totalMemoryMb: 1024, platform: 'linux', arch: 'x64', release: '6.1', nodeVersion: 'v20.20.2', corebenchVersion: '0.1.0', ...over }
}

export function jobSpec (over: Partial<JobSpec> = {}): JobSpec {
  return { name: 'test job', workload: { id: 'fibonacci', params: { n: 10 } }, tasks: 4, runtimes: ['node'], executors: ['serialized'], workers: [1], repetitions: 1, warmup: 0, taskTimeoutMs: 10_000, tags: {}, ...over }
}

/** A job as the API stores it (ids sort by creation, as in production). */
export function newJob (over: Partial<JobSpec> = {}): NewJob {
  const spec = jobSpec(over)
  return { id: newId('j'), spec, specHash: 'spec-hash', warnings: [], tasksTotal: jobTasksTotal(spec) }
}

// Distinct start times: runs are listed in startedAt order.
let runClock = Date.parse('2026-01-01T00:00:00Z')

/** A successful run of `tasks` tasks of `wallMs` each side of nothing: fabricated, plausible figures. */
export function okRun (tasks: number, wallMs = 10): RunMetrics {
  const startedAt = new Date(runClock += 1000)
  return {
    ok: true,
    tasks,
    wallMs,
    startupMs: 1,
    coldWallMs: wallMs + 1,
    clock: { stepMs: 0.0001, shortTasks: 0, tasks },
    cpuUserMs: wallMs,
    cpuSystemMs: 0,
    taskCpuMs: wallMs,
    coordinatorCpuMs: 0,
    busyCores: 1,
    peakRssBytes: 50e6,
    loopDelayP50Ms: 0.1,
    loopDelayP99Ms: 0.5,
    loopDelayMaxMs: 1,
    bytesToWorkers: 0,
    bytesFromWorkers: 0,
    serialization: 'none',
    checksum: 'c0ffee',
    startedAt,
    finishedAt: new Date(startedAt.getTime() + wallMs),
    timings: new Float32Array(tasks * 3).fill(wallMs / tasks)
  }
}

export function failedRun (tasks: number, error = 'the worker exited'): RunFailure {
  const startedAt = new Date(runClock += 1000)
  return { ok: false, tasks, code: 'COREBENCH_ERR_WORKER_EXITED', error, startupMs: 1, startedAt, finishedAt: new Date(startedAt.getTime() + 1) }
}

/** A run in flight, held until the test lets it end. */
export interface Gate {
  plan: ForkPlan
  /** Which call of `run` (0-based, in the order the job asked for forks). */
  fork: number
  /** Which run of the fork (warm-ups first). */
  k: number
  /** Ends the run with this outcome (default: a successful one). */
  pass: (outcome?: RunOutcome) => void
}

/**
 * A ForkRunner that executes nothing: each run starts (`hooks.runStarted`), waits at a gate the test
 * opens (`gated`) or ends at once (`auto`), reports its tasks done and is recorded through
 * `hooks.record` with a fabricated outcome. An abort while a run waits cuts the fork short with
 * nothing more recorded, as the real runners do.
 */
export class FakeForks implements ForkRunner {
  readonly plans: ForkPlan[] = []
  readonly gates = new Channel<Gate>()
  /** What each `hooks.record` answered. */
  readonly records: Array<{ fork: number, k: number, reason: string | undefined }> = []
  /** Awaited between a run's last task and its record (where a real fork times the canary). */
  afterTasks: () => Promise<void> = async () => {}

  constructor (public mode: 'auto' | 'gated' = 'gated') {}

  async run (plan: ForkPlan, hooks: ForkHooks): Promise<string | undefined> {
    const fork = this.plans.push(plan) - 1
    for (let k = 0; k <= plan.spec.warmup; k++) {
      if (plan.signal.aborted) return undefined
      const report = hooks.runStarted(k)
      const outcome = this.mode === 'auto' ? okRun(plan.spec.tasks) : await this.gate(plan, fork, k)
      if (outcome === undefined) return undefined
      if (outcome.ok) report(plan.spec.tasks)
      await this.afterTasks()
      const reason = await hooks.record(k, outcome)
      this.records.push({ fork, k, reason })
      if (reason !== undefined) return reason
    }
    return undefined
  }

  private async gate (plan: ForkPlan, fork: number, k: number): Promise<RunOutcome | undefined> {
    const l = latch<RunOutcome | undefined>()
    const onAbort = (): void => { l.resolve(undefined) }
    plan.signal.addEventListener('abort', onAbort, { once: true })
    this.gates.push({ plan, fork, k, pass: (o = okRun(plan.spec.tasks)) => { l.resolve(o) } })
    try {
      return await l.promise
    } finally {
      plan.signal.removeEventListener('abort', onAbort)
    }
  }
}

export const silentLogger = { info: () => {}, warn: () => {}, error: () => {} }
