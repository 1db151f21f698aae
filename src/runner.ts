import { hostname } from 'node:os'
import { jobListItem } from './views/jobs.js'
import { ConfigError, loadConfig, type Config } from './config.js'
import { hostFingerprint, withTestHardware } from './host/fingerprint.js'
import { MemoryBus, openBus, type JobEventBus, type RunnerCommand } from './jobs/bus.js'
import type { JobEvent } from './jobs/events.js'
import { machineIdentity, MachineBusyError } from './jobs/machine.js'
import { Runner } from './jobs/runner.js'
import { EXIT_MACHINE_BUSY, type ChildMessage, type ParentMessage } from './jobs/supervisor.js'
import { createLogger } from './logger.js'
import { discoverRuntimes } from './runtimes/runtimes.js'
import { migrate } from './store/migrate.js'
import { isConnectionLost } from './store/client.js'
import { openStore } from './store/prisma-store.js'
import { dialectOf } from './store/url.js'
import type { RunnerStore, Store } from './store/types.js'
import { startDelayServer } from './workloads/http-get-server.js'
import { WorkloadPackageError } from './workloads/packages/load.js'

// The runner process: claims jobs and measures them on this machine. It measures nothing but itself
// and its children: no HTTP API, no stream fan-out, no fastify in this process. Started by the
// server as a supervised child (events and commands over IPC), or by hand with `corebench runner`.

/** The server's IPC channel as a bus: events go up, commands come down. */
class ParentBus implements JobEventBus {
  private readonly local = new MemoryBus()

  constructor (private readonly send: (m: ChildMessage) => void) {}

  publish (event: JobEvent): void { this.send({ kind: 'event', event }) }
  subscribe (listener: (event: JobEvent) => void): () => void { return this.local.subscribe(listener) }
  command (cmd: RunnerCommand): void { this.local.command(cmd) }
  onCommand (listener: (cmd: RunnerCommand) => void): () => void { return this.local.onCommand(listener) }
}

let config: Config
try {
  config = loadConfig()
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`corebench runner: ${err.message}`)
    process.exit(1)
  }
  throw err
}

const supervised = typeof process.send === 'function'
const toParent = (m: ChildMessage): void => { if (process.connected) process.send?.(m) }
const logger = await createLogger(config, { process: 'runner' })
// A supervised runner's server has migrated already; one started by hand on SQLite does it itself,
// and on PostgreSQL only checks: migrations (DDL) are the API's, a runner's role has no such rights.
if (!supervised) await migrate(config.DATABASE_URL, { ddl: false })
// The runner uses the job queue, runs and hosts (RunnerStore), and closes the store when it stops.
const store: RunnerStore & Pick<Store, 'close'> = await openStore(config.DATABASE_URL)
const host = withTestHardware(hostFingerprint(), config.RUNNER_TEST_HARDWARE)
await store.upsertHost(host)
const runtimes = await discoverRuntimes(config.PYTHON)
const delay = await startDelayServer()
const machineId = config.RUNNER_MACHINE_ID !== '' ? config.RUNNER_MACHINE_ID : machineIdentity()
// Team mode: the machine is held by an advisory lock that PostgreSQL frees when this process dies.
const machineLock = dialectOf(config.DATABASE_URL) === 'postgres'
  ? new (await import('./jobs/pg-machine-lock.js')).PgMachineLock(config.DATABASE_URL, machineId, config.RUNNER_HEARTBEAT_MS)
  : undefined
// Supervised: events go up the IPC channel to the server, which publishes them. By hand: the
// database's own bus (in memory on SQLite, where no API shares it; LISTEN/NOTIFY on PostgreSQL).
const bus = supervised ? Object.assign(new ParentBus(toParent), { close: async () => {} }) : await openBus(config.DATABASE_URL, err => { logger.warn({ err }, 'job event bus: a message was not delivered; reconnecting') })
const runner = new Runner({
  store,
  bus,
  host,
  runtimes,
  config,
  logger,
  machineId,
  machineLock,
  onMachineTaken: err => {
    logger.error({ runnerId: runner.runnerId }, `corebench runner: lost its machine: ${err.message}`)
    void stop('another runner took the machine while its lock was lost', EXIT_MACHINE_BUSY, 'orphaned')
  },
  name: config.RUNNER_NAME !== '' ? config.RUNNER_NAME : hostname(),
  httpBase: () => delay.base,
  jobData: job => jobListItem(job, undefined),
  runnerId: process.env.RUNNER_ID,
  delivered: !supervised && dialectOf(config.DATABASE_URL) === 'postgres',
  onState: state => { toParent({ kind: 'state', state }) }
})

/** Team mode's pg-boss worker, once started. */
let consumer: { start: () => Promise<void>, close: () => Promise<void> } | undefined

/** Longest a stop may take: under the server's own 7 s kill timeout plus the store's 10 s deadline. */
const STOP_BOUND_MS = 20_000
let stopping: Promise<void> | undefined
async function stop (why: string, code: number, how: 'shutdown' | 'orphaned' = 'shutdown'): Promise<void> {
  stopping ??= (async () => {
    logger.info({ runnerId: runner.runnerId }, `runner stopping: ${why}`)
    // The bound below is unref'd: a close that leaves nothing running exits on its own, with this code.
    process.exitCode = code
    // A close that cannot finish (a database that no longer answers) must not leave an orphaned
    // runner holding the machine: past this bound it exits anyway, and its lease does the rest.
    setTimeout(() => {
      logger.error({ runnerId: runner.runnerId }, `runner: could not stop cleanly within ${STOP_BOUND_MS} ms; exiting`)
      process.exit(code === 0 ? 1 : code)
    }, STOP_BOUND_MS).unref()
    await runner.close(how)
    await consumer?.close()
    await delay.close()
    // After the runner: its last events (the job's end) are handed to the bus before it closes.
    await bus.close()
    await store.close()
    process.exit(code)
  })()
  await stopping
}

// A paused runner whose database session was ended meanwhile (chaos test: SIGSTOP then SIGCONT) gets a
// rejected rollback from inside Prisma that nothing awaits: logged, not fatal. Anything else still is.
process.on('unhandledRejection', reason => {
  if (isConnectionLost(reason)) {
    logger.warn({ err: reason }, 'runner: a database call failed after its connection was lost (the job\'s lease decides what follows)')
    return
  }
  logger.fatal({ err: reason }, 'runner: unhandled rejection')
  process.exit(1)
})
process.on('message', (m: ParentMessage) => {
  if (m.kind === 'shutdown') void stop('asked by the server', 0)
  else if (m.kind === 'command') bus.command(m.cmd)
})
// The server is gone (even kill -9): a supervised runner does not measure on alone.
process.on('disconnect', () => { void stop('the server process is gone', 0, 'orphaned') })
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => { void stop(signal, 0) })

try {
  await runner.start()
} catch (err) {
  const busy = err instanceof MachineBusyError
  // A workload package that failed its checks: its one line says all (no stack of ours to add).
  const known = busy || err instanceof WorkloadPackageError
  const message = busy ? err.message : `cannot start: ${(err as Error).message}`
  logger.error({ err: known ? undefined : err }, `corebench runner: ${message}`)
  toParent({ kind: 'fatal', code: known ? err.code : 'COREBENCH_ERR_RUNNER_START', message })
  await delay.close()
  await store.close()
  process.exit(busy ? EXIT_MACHINE_BUSY : 1)
}
// Team mode: pg-boss delivers jobs (src/jobs/pg-delivery.ts); the bus wake-up and the poll stay as a fallback.
consumer = supervised || dialectOf(config.DATABASE_URL) !== 'postgres'
  ? undefined
  : new (await import('./jobs/pg-delivery.js')).DeliveryConsumer(config.DATABASE_URL, runner.queues, { idle: () => runner.state.state === 'idle', deliver: async id => { await runner.deliver(id) } }, err => { logger.warn({ err }, 'pg-boss') })
try {
  await consumer?.start()
} catch (err) {
  // A database without pg-boss's schema (no API instance has started on it yet), or a runner role without its grants.
  logger.error(`corebench runner: cannot take deliveries from pg-boss: ${(err as Error).message} (start an API instance on this database first; a runner role needs prisma/postgres/runner-role.sql)`)
  await stop('pg-boss did not start', 1)
}
logger.info({ runnerId: runner.runnerId, pid: process.pid, supervised, runtimes: runtimes.list.filter(r => r.available).map(r => r.id) }, 'runner ready')
if (!supervised && dialectOf(config.DATABASE_URL) !== 'postgres') logger.warn('runner started by hand: with SQLite no server hears its events (progress shows when runs are stored); team mode (PostgreSQL) is where hand-started runners belong')
