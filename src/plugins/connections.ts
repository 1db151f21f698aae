import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { readFileSync } from 'node:fs'
import type { Socket } from 'node:net'
import type { Config } from '../config.js'
import { TooManyConnectionsError } from '../errors.js'

declare module 'fastify' {
  interface FastifyInstance {
    connections: ConnectionCount
  }
}

/** Share of the descriptor limit that connections may use; the rest is for the database, workers, children, files. */
const SHARE = 0.7

/**
 * The soft limit on open descriptors (RLIMIT_NOFILE, what `ulimit -n` sets), read from
 * /proc/self/limits; undefined where that file does not exist (not Linux) or says "unlimited".
 */
export function descriptorLimit (read: () => string = () => readFileSync('/proc/self/limits', 'utf8')): number | undefined {
  let text: string
  try {
    text = read()
  } catch {
    return undefined
  }
  const soft = /^Max open files\s+(\d+)/m.exec(text)?.[1]
  return soft === undefined ? undefined : Number(soft)
}

export interface ConnectionLimits {
  /** Connections past this many get 503 (HTTP) before any other work. */
  limit: number
  /** Past this many, Node closes new sockets unanswered (even a 503 costs a descriptor while it is sent). */
  hardLimit: number | undefined
}

/**
 * MAX_CONNECTIONS (0: derived) capped at 70 % of the descriptor limit; the hard limit halfway
 * between that and the descriptor limit. With `ulimit -n 1024`: 716 answered, 870 at most open.
 */
export function connectionLimits (configured: number, descriptors: number | undefined): ConnectionLimits {
  if (descriptors === undefined) return { limit: configured > 0 ? configured : 10_000, hardLimit: undefined }
  const ceiling = Math.max(1, Math.floor(descriptors * SHARE))
  const limit = configured > 0 ? Math.min(configured, ceiling) : ceiling
  return { limit, hardLimit: limit + Math.floor((descriptors - limit) / 2) }
}

export interface ConnectionCount extends ConnectionLimits {
  /** Sockets open now (HTTP keep-alive and WebSocket alike). */
  open: number
  /** Requests refused with 503 because of the limit, since start. */
  refused: number
  /** Sockets Node closed unanswered past the hard limit, since start. */
  dropped: number
  descriptors: number | undefined
}

const OVER = Symbol('corebench.overLimit')

/**
 * The connection limit: a server that runs out of descriptors cannot open its database, a log file
 * or a worker's pipe, so new connections are refused well before that. Each socket is counted when
 * accepted; one accepted past the limit has its request (an upgrade included) answered 503 with
 * `Connection: close`, which frees it at once.
 */
export default fp(async function connectionsPlugin (app, opts: { config: Config }) {
  const descriptors = descriptorLimit()
  const limits = connectionLimits(opts.config.MAX_CONNECTIONS, descriptors)
  if (opts.config.MAX_CONNECTIONS > limits.limit) {
    app.log.warn(`MAX_CONNECTIONS=${opts.config.MAX_CONNECTIONS} is more than 70 % of the descriptor limit (${String(descriptors)}): using ${limits.limit}; raise ulimit -n for more`)
  }
  const count: ConnectionCount = { ...limits, open: 0, refused: 0, dropped: 0, descriptors }
  app.decorate('connections', count)
  if (limits.hardLimit !== undefined) app.server.maxConnections = limits.hardLimit
  app.server.on('drop', () => { count.dropped++ })
  app.server.on('connection', (socket: Socket & { [OVER]?: boolean }) => {
    count.open++
    if (count.open > limits.limit) socket[OVER] = true
    socket.once('close', () => { count.open-- })
  })
  app.addHook('onRequest', (req: FastifyRequest & { raw: { socket: Socket & { [OVER]?: boolean } } }, _reply, done) => {
    if (req.raw.socket?.[OVER] !== true) {
      done()
      return
    }
    count.refused++
    done(Object.assign(new TooManyConnectionsError(limits.limit), { headers: { connection: 'close', 'retry-after': '5' } }))
  })
}, { name: 'connections' })
