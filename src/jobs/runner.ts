import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ExecutorOptions } from '../executors/index.js'
import type { HostFingerprint } from '../host/fingerprint.js'
import type { Runtimes } from '../runtimes/runtimes.js'
import type { JobRecord, RunnerStore } from '../store/types.js'
import type { JobEventBus } from './bus.js'
import { ClaimLoop, type LoopState } from './claim-loop.js'
import type { Progress } from './events.js'
import { NodeForkRunner } from './forks/node.js'
import { PythonForkRunner } from './forks/python.js'
import { claimMachine, MachineBusyError, type MachineLock } from './machine.js'
import { JobPublisher } from './publisher.js'
import { StoreQueue, type JobQueue } from './queue.js'
import type { CellOrder } from './order.js'
import { recoverJobs } from './recovery.js'
import { loadRunnerCatalog, type RunnerCatalog } from './workloads.js'
import { classQueue, runnerQueue } from './routing.js'

export interface RunnerSettings {
  RUNNER_LABELS: string
  MAX_JOB_BUDGET_MS: number
  MAX_TASKS: number
  WORKER_MAX_OLD_GEN_MB: number
  REQUEUE_INTERRUPTED: boolean
  RUNNER_HEARTBEAT_MS: number
  RUNNER_LEASE_MS: number
  RUNNER_POLL_MS: number
  CELL_ORDER: CellOrder
  DISTURBED_FOREIGN_CPU: number
  DISTURBED_STEAL: number
  DISTURBED_CANARY_DRIFT: number
  REDO_DISTURBED: number
  WORKLOADS: string
  WORKLOADS_STRICT: boolean
}

export interface Logger {
  info: (o: object, m: string) => void
  warn: (o: object, m: string) => void
  error: (o: object, m: string) => void
}

export interface RunnerOptions {
  /** Only the aggregates a runner uses: the job queue, runs, hosts and machine claims. */
  store: RunnerStore
  bus: JobEventBus
  host: HostFingerprint
  runtimes: Runtimes
  config: RunnerSettings
  logger: Logger
  /** The machine this runner holds (machineIdentity() unless a test gives its own). */
  machineId: string
  name: string
  /** Where the http-get workload finds the loopback delay endpoint. */
  httpBase: () => string | undefined
  /** A job as events carry it (the list item clients know). */
  jobData: (job: JobRecord) => unknown
  executorOptions?: ExecutorOptions
  /** Given by a supervisor, so that it knows which jobs were this runner's when it exits. */
  runnerId?: string
  /** Jobs reach it through deliver() (pg-boss, team mode): `queued` wake-ups on the bus are ignored, the poll stays. */
  delivered?: boolean
  /** Told whenever the claim loop's state changes (idle, running, stalled). */
  onState?: (state: LoopState) => void
  /** Team mode: the database lock that holds the machine (see MachineLock). */
  machineLock?: MachineLock
  /** A lost machine lock that another runner took meanwhile: this runner must stop. */
  onMachineTaken?: (err: MachineBusyError) => void
}

function labelsOf (config: Pick<RunnerSettings, 'RUNNER_LABELS'>): string[] {
  return config.RUNNER_LABELS === '' ? [] : config.RUNNER_LABELS.split(',')
}

/** `r_` + 12 hex digits: one start of one runner process. */
export function newRunnerId (): string {
  return `r_${randomBytes(6).toString('hex')}`
}

/**
 * One runner: holds its machine, claims and measures jobs one at a time, keeps its lease and its
 * machine claim fresh, and recovers at start the jobs whose runners' leases expired. Assembled here
 * once; the runner process (src/runner.ts) runs it, and tests and benchmarks may run it in-process.
 */
export class Runner {
  readonly runnerId: string
  readonly queue: JobQueue
  readonly publisher: JobPublisher
  /** The queues routed jobs reach it through: its class's and its own (src/jobs/routing.ts). */
  readonly queues: readonly string[]
  private readonly loop: ClaimLoop
  private machineBeat: NodeJS.Timeout | undefined
  /** The workloads it can run, loaded by start(). */
  private catalog: RunnerCatalog | undefined
  private started = false
  /** False while a lost machine lock is being taken again: no job is claimed meanwhile. */
  private locked = true
  private readonly closed = new AbortController()

  constructor (private readonly opts: RunnerOptions) {
    const { store, config, logger } = opts
    this.runnerId = opts.runnerId ?? newRunnerId()
    this.queue = new StoreQueue(store)
    this.publisher = new JobPublisher(opts.bus, this.queue, opts.jobData, err => { logger.warn({ err }, 'runner: an event could not be published') }, this.runnerId)
    const node = new NodeForkRunner({ executorOptions: { maxOldGenerationSizeMb: config.WORKER_MAX_OLD_GEN_MB, maxTasks: config.MAX_TASKS, ...opts.executorOptions }, httpBase: opts.httpBase })
    const python = new PythonForkRunner(opts.runtimes, opts.executorOptions?.tmpDir)
    // Routed jobs (runOn) reach it through its class's queue and the queue of its own name.
    const queues = this.queues = [classQueue({ ...opts.host, labels: labelsOf(config) }), runnerQueue(opts.name)]
    this.loop = new ClaimLoop({
      identity: { runnerId: this.runnerId, hostId: opts.host.id, runtimes: opts.runtimes.list.filter(r => r.available).map(r => r.id), name: opts.name, queues },
      bus: opts.bus,
      queue: this.queue,
      runs: store,
      publisher: this.publisher,
      forks: runtime => runtime === 'node' ? node : python,
      budgetMs: config.MAX_JOB_BUDGET_MS,
      cellOrder: config.CELL_ORDER,
      disturbance: { thresholds: { foreignCpu: config.DISTURBED_FOREIGN_CPU, steal: config.DISTURBED_STEAL, canaryDrift: config.DISTURBED_CANARY_DRIFT }, redos: config.REDO_DISTURBED },
      heartbeatMs: config.RUNNER_HEARTBEAT_MS,
      idlePollMs: config.RUNNER_POLL_MS,
      wakeOnQueued: opts.delivered !== true,
      retryMs: { first: 250, max: 10_000 },
      logger,
      onState: opts.onState,
      versionsFor: spec => (this.catalog as RunnerCatalog).versionsFor(spec),
      mayClaim: () => this.locked
    })
  }

  /**
   * Loads the workload packages (WorkloadPackageError when WORKLOADS_STRICT and one fails), takes the
   * machine (MachineBusyError when a live runner holds it), recovers expired leases, starts claiming.
   */
  async start (): Promise<void> {
    const { store, config, logger } = this.opts
    this.catalog = await loadRunnerCatalog(config, this.opts.runtimes)
    for (const u of this.catalog.workloads.unavailable) logger.warn({ file: u.file, source: u.source }, `runner: workload unavailable (WORKLOADS_STRICT=false): ${u.file}: ${u.reason}`)
    await claimMachine(store, { machineId: this.opts.machineId, runnerId: this.runnerId, name: this.opts.name, pid: process.pid, hostId: this.opts.host.id, labels: labelsOf(config), runtimes: this.opts.runtimes.list.filter(r => r.available).map(r => r.id), workloads: this.catalog.workloads, releasedAt: null }, config.RUNNER_LEASE_MS, this.opts.machineLock)
    this.started = true
    this.opts.machineLock?.onLost(err => { void this.relock(err) })
    this.machineBeat = setInterval(() => {
      store.heartbeatMachine(this.opts.machineId, this.runnerId).then(held => {
        if (!held) logger.error({ runnerId: this.runnerId }, 'runner: another runner took this machine over (this one missed its heartbeats)')
      }, (err: unknown) => { logger.warn({ err }, 'runner: machine heartbeat failed') })
    }, config.RUNNER_HEARTBEAT_MS)
    const recovered = await recoverJobs(this.queue, this.publisher, {
      staleBefore: new Date(Date.now() - config.RUNNER_LEASE_MS),
      requeue: config.REQUEUE_INTERRUPTED,
      reason: `its runner stopped renewing its lease for ${config.RUNNER_LEASE_MS} ms`
    })
    if (recovered.length > 0) logger.warn({ jobs: recovered.map(j => j.id) }, `${recovered.length} job(s) had lost their runner: ${config.REQUEUE_INTERRUPTED ? 're-queued' : 'marked interrupted'}`)
    this.loop.start()
  }

  /** Runs a job a delivery named, after the one in hand (ClaimLoop.deliver). */
  async deliver (jobId: string): Promise<void> {
    await this.loop.deliver(jobId)
  }

  get state (): LoopState {
    return this.loop.state
  }

  get running (): { id: string, progress: Progress | undefined } | undefined {
    return this.loop.runningJob
  }

  /** Stops the running job (stored as cancelled, or interrupted when orphaned), stops claiming and gives the machine back. */
  async close (why: 'shutdown' | 'orphaned' = 'shutdown'): Promise<void> {
    this.closed.abort()
    await this.loop.close(why)
    clearInterval(this.machineBeat)
    if (this.started) await this.opts.store.releaseMachine(this.opts.machineId, this.runnerId).catch(() => {})
    await this.opts.machineLock?.release()
  }

  /**
   * The machine lock's session ended while this runner lives (a database restart): no claim until it
   * is taken again, retried with back-off. Taking it again rather than exiting keeps the job in hand
   * (its lease decides its fate) and needs no supervisor; a lock that another runner took meanwhile
   * ends this runner (onMachineTaken), since the machine is no longer its own.
   */
  private async relock (err: unknown): Promise<void> {
    const { logger, machineLock: lock } = this.opts
    if (lock === undefined || this.closed.signal.aborted) return
    this.locked = false
    logger.error({ err, runnerId: this.runnerId }, 'runner: the machine lock was lost (its database session ended); no job is claimed until it is taken again')
    for (let attempt = 0; !this.closed.signal.aborted; attempt++) {
      try {
        if (await lock.acquire()) {
          this.locked = true
          logger.info({ runnerId: this.runnerId }, 'runner: machine lock taken again')
          this.loop.kick()
          return
        }
        this.opts.onMachineTaken?.(new MachineBusyError((await this.opts.store.listMachines()).find(m => m.machineId === this.opts.machineId && m.runnerId !== this.runnerId)))
        return
      } catch (retry) {
        logger.warn({ err: retry }, 'runner: cannot take the machine lock again yet; retrying')
      }
      await sleep(Math.min(100 * 2 ** attempt, 2000), undefined, { signal: this.closed.signal }).catch(() => {})
    }
  }
}
