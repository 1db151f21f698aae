import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { randomUUID } from 'node:crypto'
import { STATUS_CODES } from 'node:http'
import type { Logger } from 'pino'
import catalogRoutes from './api/catalog.js'
import workloadsPlugin from './plugins/workloads.js'
import healthRoutes from './api/health.js'
import historyRoutes from './api/history.js'
import hostRoutes from './api/host.js'
import jobRoutes from './api/jobs.js'
import loopbackRoutes from './api/loopback.js'
import runnerRoutes from './api/runners.js'
import type { Config } from './config.js'
import { createLogger } from './logger.js'
import { BodyTooLargeError, DatabaseUnavailableError, RouteNotFoundError, UnsupportedMediaTypeError } from './errors.js'
import authPlugin from './plugins/auth.js'
import connectionsPlugin from './plugins/connections.js'
import dashboardPlugin from './plugins/dashboard.js'
import hostPlugin from './plugins/host.js'
import metricsPlugin from './plugins/metrics.js'
import runnerPlugin, { type RunnerMode } from './plugins/runner.js'
import securityPlugin from './plugins/security.js'
import storePlugin from './plugins/store.js'
import swaggerPlugin from './plugins/swagger.js'
import { installJsonParser, installValidators } from './plugins/validation.js'
import type { FieldError } from './schemas/common.js'
import { COMPONENTS } from './schemas/components.js'
import websocket from '@fastify/websocket'
import streamRoutes, { websocketOptions } from './stream/routes.js'

export interface AppOptions {
  config: Config
  /** Where jobs run (src/plugins/runner.ts); default: a supervised child, or none with RUNNER=off. */
  runner?: RunnerMode
  /** Tests only, with the inline runner: the URL the http-get workload calls instead of the runner's own endpoint. */
  runnerHttpBase?: string
}

/** The whole service as one plugin, registered the same way by server.ts and by the tests. */
export const corebench = fp(async function corebench (app: FastifyInstance, opts: AppOptions) {
  const { config } = opts
  installValidators(app)
  installJsonParser(app)
  for (const schema of COMPONENTS) app.addSchema(schema)

  // Before any route: fastify binds a route to the error handler in place when it is registered.
  app.setErrorHandler((raw: FastifyError & { headers?: Record<string, string>, details?: FieldError[] }, req, reply) => {
    const err = normalize(raw, req.headers['content-type'], config.BODY_LIMIT_BYTES)
    const statusCode = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500
    if (statusCode >= 500) {
      req.log.error({ err }, 'request failed')
    } else {
      // `reason`, not `msg`: pino would write two "msg" keys and log readers keep only the last one.
      req.log.info({ code: err.code, reason: err.message }, 'request refused')
    }
    const code = statusCode >= 500 && err.code?.startsWith('COREBENCH_ERR_') !== true
      ? 'COREBENCH_ERR_INTERNAL'
      : err.validation !== undefined ? 'COREBENCH_ERR_VALIDATION' : (err.code ?? 'COREBENCH_ERR_REQUEST')
    const message = statusCode >= 500 && code === 'COREBENCH_ERR_INTERNAL' ? 'Internal Server Error' : err.message
    if (err.headers !== undefined) reply.headers(err.headers)
    const details = statusCode < 500 && raw.details !== undefined ? { details: raw.details } : {}
    return reply.code(statusCode).send({ statusCode, code, error: httpReason(statusCode), message, ...details })
  })

  app.setNotFoundHandler((req, reply) => {
    const err = new RouteNotFoundError(req.method, req.url.split('?')[0] ?? req.url)
    return reply.code(404).send({ statusCode: 404, code: err.code, error: 'Not Found', message: err.message })
  })

  // First of all: its onRequest hook marks upgrade requests, so that a refused upgrade (401, 429,
  // 503 from the hooks below) still has its socket destroyed instead of holding server.close().
  await app.register(websocket, websocketOptions(app))
  // Next, before any work: a connection past the limit is refused before it costs anything else.
  await app.register(connectionsPlugin, { config })
  await app.register(securityPlugin, { config })
  await app.register(storePlugin, { databaseUrl: config.DATABASE_URL })
  await app.register(authPlugin, { config })
  await app.register(hostPlugin, { config })
  await app.register(workloadsPlugin, { leaseMs: config.RUNNER_LEASE_MS })
  await app.register(runnerPlugin, { config, mode: opts.runner ?? (config.RUNNER === 'off' ? 'off' : 'child'), httpBase: opts.runnerHttpBase })
  await app.register(swaggerPlugin)
  await app.register(metricsPlugin)

  await app.register(healthRoutes)
  await app.register(hostRoutes)
  await app.register(runnerRoutes, { leaseMs: config.RUNNER_LEASE_MS })
  await app.register(catalogRoutes)
  await app.register(jobRoutes, { config })
  await app.register(historyRoutes)
  await app.register(loopbackRoutes)
  await app.register(streamRoutes, { config, onDrop: () => { app.metrics.droppedMessages.inc() } })
  await app.register(dashboardPlugin)
  // Where to go next, once there is an address: `npm start` otherwise ends on a bare "listening".
  app.addHook('onListen', function (done) {
    const { dashboard, docs } = addresses(this.server.address())
    if (dashboard !== undefined) this.log.info({ dashboard, docs }, `corebench is ready: dashboard ${dashboard} · API docs ${docs}`)
    done()
  })
}, { name: 'corebench' })

/** The dashboard and /docs URLs of a listening server; a wildcard host is shown as localhost. */
export function addresses (address: ReturnType<FastifyInstance['server']['address']>): { dashboard?: string, docs?: string } {
  if (address === null || typeof address === 'string') return {}
  const host = address.address === '0.0.0.0' || address.address === '::' ? 'localhost' : address.family === 'IPv6' ? `[${address.address}]` : address.address
  const base = `http://${host}:${address.port}`
  return { dashboard: `${base}/`, docs: `${base}/docs` }
}

/** Fastify's own request errors (body parsing, size, media type) mapped onto the catalog. */
function normalize (err: FastifyError & { headers?: Record<string, string> }, contentType: string | undefined, bodyLimit: number): FastifyError & { headers?: Record<string, string> } {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return new BodyTooLargeError(bodyLimit)
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return new UnsupportedMediaTypeError(JSON.stringify(contentType ?? ''))
  }
  // The database cannot take a write now (full, locked past its timeout, a transaction past its
  // deadline): the client can retry; nothing was half-done (every write is one transaction).
  // (P1008: Prisma's name for a write that timed out waiting on a lock; P2028: a transaction that got
  // no connection from the pool in time, e.g. a burst of submissions on PostgreSQL.)
  if (/^SQLITE_(FULL|BUSY|LOCKED|IOERR)|^P1008$|^P2028$|^COREBENCH_ERR_DB_DEADLINE$/.test(String(err.code ?? ''))) {
    return Object.assign(new DatabaseUnavailableError(), { headers: { 'retry-after': '5' } })
  }
  return err
}

function httpReason (status: number): string {
  return STATUS_CODES[status] ?? (status >= 500 ? 'Internal Server Error' : 'Bad Request')
}

export interface BuildOptions extends AppOptions {
  /** A ready pino instance (tests pass a silent or capturing one); defaults to one built from config. */
  logger?: Logger
}

/** Creates the fastify instance with corebench's server options and registers the app. */
export async function buildApp (opts: BuildOptions): Promise<FastifyInstance> {
  const { config } = opts
  const app = Fastify({
    loggerInstance: (opts.logger ?? await createLogger(config)) as FastifyBaseLogger,
    bodyLimit: config.BODY_LIMIT_BYTES,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // Stop accepting on close but let in-flight requests finish.
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    ajv: { customOptions: { removeAdditional: false } },
    logController: new RequestLog()
  })
  // First hook of all, synchronous: every reply carries it, refusals from later hooks included.
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id)
    done()
  })
  drainOnClose(app)
  await app.register(corebench, { config, runner: opts.runner, runnerHttpBase: opts.runnerHttpBase })
  return app
}

/**
 * A graceful close: from its first moment, idle keep-alive sockets are closed and every reply still
 * in flight says `Connection: close`, so that no client keeps a socket that holds server.close()
 * open. (fastify closes idle sockets only after every preClose hook, such as cancelling the running
 * job, and leaves in-flight replies keep-alive: their sockets then waited out keepAliveTimeout.)
 * Registered before the app so that its preClose hook runs first.
 */
function drainOnClose (app: FastifyInstance): void {
  let closing = false
  app.addHook('preClose', (done) => {
    closing = true
    if (app.server.listening) app.server.closeIdleConnections()
    done()
  })
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (closing) reply.header('connection', 'close')
    done(null, payload)
  })
}

/** Past this a request is logged at warn whatever it was. */
export const SLOW_REQUEST_MS = 1000
const READS = new Set(['GET', 'HEAD', 'OPTIONS'])
const debugOn = (log: FastifyBaseLogger): boolean => log.level === 'debug' || log.level === 'trace'

/**
 * The request lines an operator needs, not two lines for every poll: writes (with the token that
 * made them), refusals and errors (status >= 400) at info, slow requests at warn, failed responses
 * at error. Plain successful reads, which dashboards and pollers repeat by the thousand, are logged
 * only at debug. fastify's default is "incoming request" + "request completed" at info for every
 * request; so the completion line here carries the request itself (method, url, address).
 */
export class RequestLog extends LogController {
  constructor (private readonly slowMs = SLOW_REQUEST_MS) {
    super()
  }

  override incomingRequest (request: FastifyRequest): void {
    if (debugOn(request.log)) request.log.debug({ req: request }, 'incoming request')
  }

  override requestCompleted (error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const responseTime = reply.elapsedTime
    if (error != null) {
      reply.log.error({ req: request, res: reply, err: error, responseTime }, 'request errored')
      return
    }
    const line = { req: request, res: reply, responseTime, ...request.tokenId === null ? {} : { tokenId: request.tokenId } }
    if (responseTime >= this.slowMs) reply.log.warn(line, 'slow request')
    else if (reply.statusCode >= 400 || !READS.has(request.method)) reply.log.info(line, 'request completed')
    else if (debugOn(reply.log)) reply.log.debug(line, 'request completed')
  }
}

export { createLogger }
