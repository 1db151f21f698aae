import { PgBoss } from 'pg-boss'
import type { HostStore, JobRecord, JobStore, NewJob } from '../store/types.js'
import type { FinalStatus } from '../store/state.js'
import type { JobVersions } from '../schemas/workload.js'
import type { FinishFields, JobQueue, Lease, RunnerIdentity } from './queue.js'
import type { JobPublisher } from './publisher.js'
import { recoverJobs, type RecoverOptions } from './recovery.js'
import { registeredRunners } from './registry.js'
import { classQueue, runnerQueue, type RunnerInfo } from './routing.js'

// Team mode (PostgreSQL): pg-boss carries the delivery of jobs to runners; the jobs table stays the
// source of truth for every status. The API sends a job's id to each queue of its placement (or to
// DEFAULT_QUEUE when unrouted); a runner works its class's queue, its own and the default one, and
// claims the delivered row conditionally (a row no longer claimable: the delivery is completed and
// dropped). A delivery whose runner stopped heartbeating is failed by the supervising API instances
// (every one supervises) into LOST_QUEUE, where an API maps it onto the job: the lease recovery of
// today for a running row, a fresh delivery for a row still queued.

/** Unrouted jobs: every runner works it. */
export const DEFAULT_QUEUE = 'corebench.any'
/** Dead letters: deliveries that failed or expired (their runner stopped heartbeating). */
export const LOST_QUEUE = 'corebench.lost'
/** pg-boss's floor (STACK.md): a delivery is failed this long after its runner's last heartbeat. */
export const DELIVERY_HEARTBEAT_S = 10

export interface Delivery { jobId: string }

/** Opens pg-boss on the API side: migrations and supervision on (every API instance supervises). */
export async function startSupervisingBoss (databaseUrl: string, onError: (err: Error) => void): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString: databaseUrl, migrate: true, supervise: true, schedule: false })
  boss.on('error', onError)
  await boss.start()
  await boss.createQueue(LOST_QUEUE, {})
  return boss
}

/**
 * The API's side of delivery. Queues are created here only (a `createQueue` of a non-partitioned
 * queue in pg-boss 12 is an INSERT into pgboss.queue, but it is the API's to decide): at submit for
 * a job's placement, and for every registered runner's class and own queue (`syncRunners`).
 */
export class DeliveryProducer {
  private readonly known = new Set<string>()

  constructor (private readonly boss: PgBoss, private readonly expireInSeconds: number) {}

  async ensureQueue (name: string): Promise<void> {
    if (this.known.has(name)) return
    // Options given as absent, never as undefined: pg-boss validates `deadLetter: undefined` as a non-string.
    await this.boss.createQueue(name, { heartbeatSeconds: DELIVERY_HEARTBEAT_S, retryLimit: 0, expireInSeconds: this.expireInSeconds, deadLetter: LOST_QUEUE })
    this.known.add(name)
  }

  /** Sends the job's id to each queue it may be claimed from. */
  async send (job: Pick<JobRecord, 'id' | 'queues'>): Promise<void> {
    for (const name of job.queues.length > 0 ? job.queues : [DEFAULT_QUEUE]) {
      await this.ensureQueue(name)
      await this.boss.send(name, { jobId: job.id } satisfies Delivery)
    }
  }

  /** Creates the queues registered runners work: their class's and their own, and the default. */
  async syncRunners (runners: readonly RunnerInfo[]): Promise<void> {
    await this.ensureQueue(DEFAULT_QUEUE)
    for (const r of runners) {
      await this.ensureQueue(classQueue(r))
      await this.ensureQueue(runnerQueue(r.name))
    }
  }
}

/**
 * The job queue of an API instance in team mode: the store's queue (the source of truth) plus a
 * pg-boss delivery for every job that becomes queued (submitted, or re-queued after losing its runner).
 */
export class DeliveringQueue implements JobQueue {
  constructor (private readonly inner: JobQueue, private readonly producer: DeliveryProducer) {}

  async enqueue (job: NewJob): Promise<JobRecord> {
    const stored = await this.inner.enqueue(job)
    await this.producer.send(stored)
    return stored
  }

  async release (job: JobRecord, to: 'interrupted' | 'queued', error: string, staleBefore?: Date): Promise<JobRecord | undefined> {
    const done = await this.inner.release(job, to, error, staleBefore)
    if (done?.status === 'queued') await this.producer.send(done)
    return done
  }

  async depth (): Promise<number> { return await this.inner.depth() }
  async claim (runner: RunnerIdentity): Promise<JobRecord | undefined> { return await this.inner.claim(runner) }
  async claimJob (jobId: string, runner: RunnerIdentity): Promise<JobRecord | undefined> { return await this.inner.claimJob(jobId, runner) }
  async heartbeat (jobId: string, runnerId: string): Promise<Lease> { return await this.inner.heartbeat(jobId, runnerId) }
  async recordVersions (jobId: string, runnerId: string, versions: JobVersions): Promise<boolean> { return await this.inner.recordVersions(jobId, runnerId, versions) }
  async progress (jobId: string, runnerId: string, fields: { tasksDone?: number, warnings?: string[] }): Promise<boolean> { return await this.inner.progress(jobId, runnerId, fields) }
  async finish (jobId: string, runnerId: string, status: FinalStatus, fields: FinishFields): Promise<JobRecord | undefined> { return await this.inner.finish(jobId, runnerId, status, fields) }
  async cancelQueued (jobId: string): Promise<JobRecord | undefined> { return await this.inner.cancelQueued(jobId) }
  async requestCancel (jobId: string): Promise<boolean> { return await this.inner.requestCancel(jobId) }
  async held (by: { runnerId?: string, staleBefore?: Date }): Promise<JobRecord[]> { return await this.inner.held(by) }
  async nextSeq (jobId: string, holder?: string): Promise<number | undefined> { return await this.inner.nextSeq(jobId, holder) }
}

export interface ApiDeliveryOptions {
  databaseUrl: string
  store: HostStore & Pick<JobStore, 'getJob'>
  leaseMs: number
  /** Longest a delivery may stay active, heartbeats or not (pg-boss's expireInSeconds). */
  expireInSeconds: number
  recovery: Omit<RecoverOptions, 'staleBefore' | 'runnerId'>
  onError: (err: Error) => void
}

/**
 * Starts delivery on an API instance: pg-boss supervising, queues for every registered runner
 * (checked every second), and the dead letters mapped onto jobs. `wrap` turns the store's queue into
 * the delivering one; `publisher` announces recoveries.
 */
export async function startApiDelivery (opts: ApiDeliveryOptions): Promise<{ wrap: (queue: JobQueue) => DeliveringQueue, attach: (queue: JobQueue, publisher: JobPublisher) => Promise<void>, close: () => Promise<void> }> {
  const boss = await startSupervisingBoss(opts.databaseUrl, opts.onError)
  const producer = new DeliveryProducer(boss, opts.expireInSeconds)
  // Queues follow registrations: a runner id not seen before (a runner's start) is the only reason to
  // read the hosts again; otherwise the check is one query a second.
  const synced = new Set<string>()
  const sync = async (): Promise<void> => {
    const claims = await opts.store.listMachines()
    if (claims.every(c => synced.has(c.runnerId))) return
    await producer.syncRunners(await registeredRunners(opts.store, opts.leaseMs))
    for (const c of claims) synced.add(c.runnerId)
  }
  await sync()
  const timer = setInterval(() => { sync().catch(opts.onError) }, 1000)
  timer.unref()
  return {
    wrap: queue => new DeliveringQueue(queue, producer),
    attach: async (queue, publisher) => {
      // A failed delivery: its runner stopped heartbeating (or threw). A running row whose lease is
      // stale gets today's recovery; a row still queued (lost between delivery and claim) is sent again.
      await boss.work<Delivery>(LOST_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1 }, async ([lost]) => {
        if (lost === undefined) return
        await recoverJobs(queue, publisher, { ...opts.recovery, staleBefore: new Date(Date.now() - opts.leaseMs) })
        const job = await opts.store.getJob(lost.data.jobId)
        if (job?.status === 'queued') await producer.send(job)
      })
    },
    close: async () => {
      clearInterval(timer)
      await boss.stop({ graceful: true, timeout: 3000 }).catch(opts.onError)
    }
  }
}

/**
 * The runner's side: fetches one delivery at a time from its queues (its class's, its own, the
 * default), and only while the runner is idle: a delivery fetched by a busy runner would sit there
 * while another runner of the class could run it. Each delivered id goes to `deliver`, which claims
 * the row conditionally and runs it; the delivery is kept alive with `touch` meanwhile (pg-boss
 * heartbeats), completed when `deliver` resolves and failed when it throws (it is then re-sent from
 * the dead-letter queue if the row is still queued). Queues are worked once the API has created them.
 */
export class DeliveryConsumer {
  private readonly boss: PgBoss
  private closed = false
  private loop: Promise<void> | undefined
  private readonly stop = new AbortController()

  constructor (databaseUrl: string, private readonly queues: readonly string[], private readonly runner: { idle: () => boolean, deliver: (jobId: string) => Promise<void> }, private readonly onError: (err: Error) => void, private readonly pollMs = 1000) {
    // No instance registry either: it writes and prunes rows (DELETE) that the runner role may not touch.
    this.boss = new PgBoss({ connectionString: databaseUrl, migrate: false, supervise: false, schedule: false, registerInstance: false })
    this.boss.on('error', onError)
  }

  async start (): Promise<void> {
    await this.boss.start()
    this.loop = this.fetchLoop()
  }

  private async fetchLoop (): Promise<void> {
    const all = [...this.queues, DEFAULT_QUEUE]
    const ready = new Set<string>()
    while (!this.closed) {
      let took = false
      try {
        for (const name of all) if (!ready.has(name) && await this.boss.getQueue(name) !== null) ready.add(name)
        for (const name of all) {
          if (this.closed || !ready.has(name) || !this.runner.idle()) break
          const [delivery] = await this.boss.fetch<Delivery>(name, { batchSize: 1 })
          if (delivery === undefined) continue
          took = true
          await this.handle(name, delivery.id, delivery.data.jobId)
          break
        }
      } catch (err) {
        this.onError(err as Error)
      }
      if (!took) await this.sleep(this.pollMs)
    }
  }

  private async handle (queue: string, id: string, jobId: string): Promise<void> {
    const beat = setInterval(() => { this.boss.touch(queue, id).catch(this.onError) }, DELIVERY_HEARTBEAT_S * 1000 / 2)
    try {
      await this.runner.deliver(jobId)
      await this.boss.complete(queue, id)
    } catch (err) {
      this.onError(err as Error)
      await this.boss.fail(queue, id, { error: (err as Error).message }).catch(this.onError)
    } finally {
      clearInterval(beat)
    }
  }

  private async sleep (ms: number): Promise<void> {
    await new Promise<void>(resolve => {
      const timer = setTimeout(resolve, ms)
      this.stop.signal.addEventListener('abort', () => { clearTimeout(timer); resolve() }, { once: true })
    })
  }

  /** Stops fetching (after the runner closed: the delivery in hand has been completed or failed). */
  async close (): Promise<void> {
    this.closed = true
    this.stop.abort()
    await this.loop
    await this.boss.stop({ graceful: true, timeout: 5000 }).catch((err: unknown) => { this.onError(err as Error) })
  }
}
