import { hostname } from 'node:os'
import { fileURLToPath } from 'node:url'
import fp from 'fastify-plugin'
import { jobListItem } from '../views/jobs.js'
import type { Config } from '../config.js'
import { openBus, type JobEventBus } from '../jobs/bus.js'
import { JobControl } from '../jobs/control.js'
import { ProgressBoard } from '../jobs/progress-board.js'
import { JobPublisher } from '../jobs/publisher.js'
import { StoreQueue, type JobQueue } from '../jobs/queue.js'
import { recoverJobs } from '../jobs/recovery.js'
import { Runner } from '../jobs/runner.js'
import { RunnerSupervisor, type SupervisedState } from '../jobs/supervisor.js'
import { startDelayServer } from '../workloads/http-get-server.js'
import { dialectOf } from '../store/url.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Every job event this instance hears, whoever published it. */
    bus: JobEventBus
    queue: JobQueue
    jobs: JobControl
    progress: ProgressBoard
    /** The local runner's state, or undefined when this instance runs none (RUNNER=off). */
    runnerState: () => SupervisedState | undefined
    /** Stops the local runner (its job cancelled and stored); idempotent. */
    stopRunner: () => Promise<void>
  }
}

/**
 * `child` (the default of a server): one local runner process, supervised. `inline`: the runner in
 * this process, for tests and benchmarks only (it shares the API's event loop, so its numbers are
 * not the product's). `off`: an API alone; runners run elsewhere and their leases are watched here.
 */
export type RunnerMode = 'child' | 'inline' | 'off'

const runnerEntry = fileURLToPath(new URL(`../runner${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url))

export default fp(async function runnerPlugin (app, opts: { config: Config, mode: RunnerMode, httpBase?: string }) {
  const { config } = opts
  const bus = await openBus(config.DATABASE_URL, err => { app.log.warn({ err }, 'job event bus: a message was not delivered; reconnecting') })
  // Team mode: pg-boss carries delivery (src/jobs/pg-delivery.ts), loaded only for PostgreSQL.
  const delivery = dialectOf(config.DATABASE_URL) !== 'postgres'
    ? undefined
    : await (await import('../jobs/pg-delivery.js')).startApiDelivery({
      databaseUrl: config.DATABASE_URL,
      store: app.store,
      leaseMs: config.RUNNER_LEASE_MS,
      expireInSeconds: Math.ceil(config.MAX_JOB_BUDGET_MS / 1000) + 60,
      recovery: { requeue: config.REQUEUE_INTERRUPTED, reason: `its runner stopped renewing its lease for ${config.RUNNER_LEASE_MS} ms (its delivery failed)` },
      onError: err => { app.log.warn({ err }, 'pg-boss') }
    })
  const queue: JobQueue = delivery === undefined ? new StoreQueue(app.store) : delivery.wrap(new StoreQueue(app.store))
  const publisher = new JobPublisher(bus, queue, job => jobListItem(job, undefined), err => { app.log.warn({ err }, 'an event could not be published') })
  const progress = new ProgressBoard(bus)
  app.decorate('bus', bus)
  app.decorate('queue', queue)
  app.decorate('jobs', new JobControl(queue, bus, publisher))
  app.decorate('progress', progress)
  await delivery?.attach(queue, publisher)

  let runnerState: () => SupervisedState | undefined = () => undefined
  let start = async (): Promise<void> => {}
  let stop = async (): Promise<void> => {}
  if (opts.mode === 'child') {
    const supervisor = new RunnerSupervisor({
      entry: runnerEntry,
      execArgv: process.execArgv,
      env: { ...process.env, ...Object.fromEntries(Object.entries(config).map(([k, v]) => [k, String(v)])) },
      bus,
      queue,
      publisher,
      requeue: config.REQUEUE_INTERRUPTED,
      logger: app.log,
      restartMs: { first: 500, max: 30_000 },
      // Within fastify's 10 s budget for a close hook, with room for the recovery after a kill.
      closeTimeoutMs: 7000
    })
    runnerState = () => supervisor.state
    start = async () => { supervisor.start() }
    stop = async () => { await supervisor.close() }
  } else if (opts.mode === 'inline') {
    const delay = await startDelayServer()
    const runner = new Runner({
      store: app.store,
      bus,
      host: app.host,
      runtimes: app.runtimes,
      config,
      logger: app.log,
      machineId: config.RUNNER_MACHINE_ID !== '' ? config.RUNNER_MACHINE_ID : `inline:${hostname()}`,
      name: config.RUNNER_NAME !== '' ? config.RUNNER_NAME : hostname(),
      httpBase: () => opts.httpBase ?? delay.base,
      jobData: job => jobListItem(job, undefined)
    })
    runnerState = () => runner.state
    start = async () => { await runner.start() }
    stop = async () => {
      await runner.close()
      await delay.close()
    }
  }

  // Runners nobody here supervises (team mode, hand-started ones) are watched through their leases.
  const sweep = setInterval(() => {
    recoverJobs(queue, publisher, { staleBefore: new Date(Date.now() - config.RUNNER_LEASE_MS), requeue: config.REQUEUE_INTERRUPTED, reason: `its runner stopped renewing its lease for ${config.RUNNER_LEASE_MS} ms` })
      .catch((err: unknown) => { app.log.warn({ err }, 'lease check failed') })
  }, Math.max(250, Math.floor(config.RUNNER_LEASE_MS / 2)))
  sweep.unref()

  let stopped: Promise<void> | undefined
  app.decorate('runnerState', () => runnerState())
  app.decorate('stopRunner', async () => {
    clearInterval(sweep)
    stopped ??= stop()
    await stopped
  })
  app.addHook('onReady', start)
  // preClose: the running job is cancelled and stored while the database is still open.
  app.addHook('preClose', async () => { await app.stopRunner() })
  app.addHook('onClose', async () => {
    await delivery?.close()
    progress.close()
    await bus.close()
  })
}, { name: 'runner', dependencies: ['store', 'host'] })
