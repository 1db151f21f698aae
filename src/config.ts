import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { usableCores } from './host/cores.js'
import { DEFAULT_DISTURBED } from './measure/disturbance.js'

/** How the cells of a round are ordered (jobs/order.ts): `rotate` (default) or `fixed` (A B C every round). */
export const CELL_ORDERS = ['rotate', 'fixed'] as const
export type CellOrder = typeof CELL_ORDERS[number]

/**
 * Every setting corebench reads from the environment. The property names are the variable names,
 * so an error names exactly what the operator has to fix.
 */
export const ConfigSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000, description: 'HTTP port (0 picks a free one)' }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1', description: 'Interface to listen on' }),
  DATABASE_URL: Type.String({ pattern: '^(file:|postgres(ql)?://).+', default: 'file:./data/corebench.db', description: 'file:… (SQLite, the embedded default) or postgres://… (team mode: PostgreSQL)' }),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map(l => Type.Literal(l)), { default: 'info' }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024, default: 1024 * 1024 }),
  MAX_TASKS: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 10_000, description: 'Cap on tasks per run' }),
  MAX_WORKERS: Type.Integer({ minimum: 1, maximum: 4096, default: 256, description: 'Absolute cap on workers' }),
  MAX_WORKERS_PER_CORE: Type.Integer({ minimum: 1, maximum: 64, default: 4, description: 'Workers cap as a multiple of the usable cores' }),
  MAX_REPETITIONS: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }),
  MAX_WARMUP: Type.Integer({ minimum: 0, maximum: 100, default: 10 }),
  MAX_JOB_BUDGET_MS: Type.Integer({ minimum: 1000, maximum: 24 * 3600_000, default: 30 * 60_000, description: 'A job is stopped when it runs longer' }),
  MAX_TASK_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 3600_000, default: 10 * 60_000 }),
  DEFAULT_TASK_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 3600_000, default: 30_000 }),
  QUEUE_LIMIT: Type.Integer({ minimum: 1, maximum: 100_000, default: 100, description: 'Queued jobs before submit answers 429' }),
  WORKER_MAX_OLD_GEN_MB: Type.Integer({ minimum: 16, maximum: 65536, default: 1024, description: 'Heap cap of each worker thread and child process' }),
  PYTHON: Type.String({ minLength: 1, maxLength: 1000, default: 'python3', description: 'Interpreter for the python runtime (a command on PATH or a path); off disables it' }),
  REQUEUE_INTERRUPTED: Type.Boolean({ default: false, description: 'Re-queue jobs a crash left running' }),
  STREAM_MAX_BUFFERED_BYTES: Type.Integer({ minimum: 1024, maximum: 256 * 2 ** 20, default: 2 ** 20, description: 'Backlog per socket past which progress messages are dropped' }),
  STREAM_MAX_BEHIND_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 10_000, description: 'A client behind for this long is closed with 1013' }),
  READS_REQUIRE_TOKEN: Type.Boolean({ default: false, description: 'Require a token for reads too (writes always need one once a token exists)' }),
  ALLOW_OPEN_NETWORK: Type.Boolean({ default: false, description: 'Allow listening beyond loopback with no API token' }),
  CORS_ORIGINS: Type.String({ default: '', description: 'Comma-separated origins allowed to call the API from a browser; empty: same origin only' }),
  RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1200, description: 'Requests per minute per token (or per IP without one)' }),
  MAX_EVENT_LOOP_DELAY_MS: Type.Integer({ minimum: 10, maximum: 60_000, default: 1000, description: 'Past this API event-loop delay requests get 503 + Retry-After' }),
  RUNNER: Type.Union([Type.Literal('on'), Type.Literal('off')], { default: 'on', description: 'on: the server starts and supervises one local runner process; off: an API alone (runners elsewhere)' }),
  RUNNER_NAME: Type.String({ maxLength: 128, default: '', description: 'The runner\'s name (default: the hostname)' }),
  RUNNER_LABELS: Type.String({ maxLength: 512, pattern: '^([A-Za-z0-9_.-]{1,32}(,[A-Za-z0-9_.-]{1,32})*)?$', default: '', description: 'Comma-separated labels of this runner (e.g. gpu,lab-2: letters, digits, _ . -), listed by GET /api/runners' }),
  RUNNER_HEARTBEAT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 2000, description: 'How often a runner renews the lease of its job and its machine claim' }),
  RUNNER_LEASE_MS: Type.Integer({ minimum: 500, maximum: 3_600_000, default: 15_000, description: 'A running job whose lease is older than this has lost its runner (interrupted, or re-queued)' }),
  RUNNER_POLL_MS: Type.Integer({ minimum: 50, maximum: 600_000, default: 2000, description: 'How often an idle runner looks for jobs it was not told about' }),
  RUNNER_TEST_HARDWARE: Type.String({ maxLength: 40, pattern: '^([a-z0-9_]{1,32}:[1-9][0-9]{0,3})?$', default: '', description: 'Test-only: `arch:cores` (e.g. arm64:64) that a runner reports instead of its own, so that routing to other hardware can be tested on one machine; it measures on its real cores' }),
  RUNNER_MACHINE_ID: Type.String({ maxLength: 256, default: '', description: 'Test-only: the machine identity a runner claims (default /etc/machine-id, else the hostname)' }),
  MAX_CONNECTIONS: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0, description: 'Open connections (HTTP and WebSocket) past which new ones get 503; 0: 70 % of the descriptor limit (ulimit -n), which is also the ceiling' }),
  STREAM_PING_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 30_000, description: 'WebSocket keep-alive ping interval' }),
  CELL_ORDER: Type.Union(CELL_ORDERS.map(o => Type.Literal(o)), { default: 'rotate', description: 'Order of the cells in each round of forks: rotate (each cell takes every position in turn) or fixed (declared order, serialized always first)' }),
  DISTURBED_FOREIGN_CPU: Type.Number({ minimum: 0, maximum: 100_000, default: DEFAULT_DISTURBED.foreignCpu, description: 'A run during which processes outside the runner used more CPU than this (in cores: 0.5 = half a core for the whole run) is disturbed' }),
  DISTURBED_STEAL: Type.Number({ minimum: 0, maximum: 1, default: DEFAULT_DISTURBED.steal, description: 'A run during which the hypervisor stole more than this share of the machine\'s CPU time (/proc/stat steal) is disturbed' }),
  DISTURBED_CANARY_DRIFT: Type.Number({ minimum: 0, maximum: 1000, default: DEFAULT_DISTURBED.canaryDrift, description: 'A run whose canary (a ~1 ms chain of calls timed on each thread that runs tasks, before and after the run) changed by more than this share (0.5 = ±50 %) is disturbed' }),
  WORKLOADS: Type.String({ maxLength: 4096, default: '', description: 'Workload packages every runner loads at start: comma-separated directories (relative to the runner\'s working directory) or npm package names (README "Workload packages")' }),
  WORKLOADS_STRICT: Type.Boolean({ default: true, description: 'true: a workload module that fails its checks stops the runner\'s start (one line naming the file); false: it is listed as unavailable and the rest load' }),
  REDO_DISTURBED: Type.Integer({ minimum: 0, maximum: 20, default: 2, description: 'How many times a fork whose recorded run was disturbed is redone; the last try counts when every one was disturbed' })
})

export type Config = Static<typeof ConfigSchema>

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Reads, converts and validates the environment; throws one ConfigError naming the variable. */
export function loadConfig (env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {}
  for (const key of Object.keys(ConfigSchema.properties)) {
    const v = env[key]
    if (v !== undefined && v !== '') raw[key] = v
  }
  const converted = Value.Convert(ConfigSchema, Value.Default(ConfigSchema, raw))
  const first = Value.Errors(ConfigSchema, converted).First()
  if (first !== undefined) {
    const name = first.path.replace(/^\//, '')
    const given = raw[name] === undefined ? 'missing' : JSON.stringify(raw[name])
    throw new ConfigError(`invalid environment variable ${name}=${given}: ${first.message}`)
  }
  return converted as Config
}

/** The workers cap for this machine: the smaller of MAX_WORKERS and MAX_WORKERS_PER_CORE × cores. */
export function workersCap (config: Config, cores = usableCores()): number {
  return Math.min(config.MAX_WORKERS, config.MAX_WORKERS_PER_CORE * cores)
}

/** Loopback listeners are reachable only from this machine. */
export function isLoopback (host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.')
}

export function corsOrigins (config: Config): string[] {
  return config.CORS_ORIGINS.split(',').map(o => o.trim()).filter(o => o !== '')
}
