import cors from '@fastify/cors'
import helmet from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import underPressure from '@fastify/under-pressure'
import Fastify from 'fastify'
import fp from 'fastify-plugin'
import { bearer, hashToken } from '../auth/tokens.js'
import { corsOrigins, type Config } from '../config.js'
import { OverloadedError, RateLimitedError } from '../errors.js'

export const HELMET_OPTIONS = {
  // Plain http on a LAN is a normal way to run this; upgrading requests to https would break it.
  contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
  crossOriginEmbedderPolicy: false
}

/**
 * The security headers @fastify/helmet sends with these options. Registered as a plugin it rebuilds
 * helmet's middleware on every request (CSP directives parsed, each header re-derived): ~50 µs, a
 * third of the CPU of a cached GET. With static options (no per-request CSP nonces) the headers never
 * change, so they are taken once from @fastify/helmet itself, on a throwaway instance, and added to
 * every reply by one synchronous hook: the same headers, computed once.
 */
export async function helmetHeaders (options: typeof HELMET_OPTIONS): Promise<Record<string, string>> {
  const send = async (withHelmet: boolean): Promise<Record<string, unknown>> => {
    const probe = Fastify()
    if (withHelmet) await probe.register(helmet, options)
    probe.get('/', async () => '')
    try {
      return (await probe.inject('/')).headers
    } finally {
      await probe.close()
    }
  }
  const bare = await send(false)
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(await send(true))) {
    if (name in bare) continue
    if (typeof value !== 'string') throw new Error(`helmet header ${name} is not a single string`)
    out[name] = value
  }
  if (out['content-security-policy'] === undefined) throw new Error('helmet sent no content-security-policy')
  return out
}

let staticHeaders: Promise<Record<string, string>> | undefined

/** Headers, CORS, rate limits and load shedding for a server a team shares (DESIGN.md §9). */
export default fp(async function securityPlugin (app, opts: { config: Config }) {
  const { config } = opts
  // The options never change: every app in this process (tests build many) shares one derivation.
  staticHeaders ??= helmetHeaders(HELMET_OPTIONS)
  const headers = await staticHeaders
  app.addHook('onRequest', (_req, reply, done) => {
    reply.headers(headers)
    done()
  })
  const origins = corsOrigins(config)
  // With no origins configured, no CORS headers are sent at all: browsers allow the same origin only.
  if (origins.length > 0) await app.register(cors, { origin: origins, methods: ['GET', 'POST', 'PUT', 'DELETE'], allowedHeaders: ['authorization', 'content-type', 'if-none-match'], exposedHeaders: ['etag', 'retry-after', 'location'] })

  await app.register(rateLimit, {
    max: config.RATE_LIMIT_PER_MINUTE,
    timeWindow: 60_000,
    // Per token when there is one (a team behind one NAT is many clients), else per address.
    keyGenerator: (req) => {
      const token = bearer(req.headers.authorization)
      return token === undefined ? `ip:${req.ip}` : `token:${hashToken(token).slice(0, 16)}`
    },
    // The http-get workload's own target must never throttle a benchmark.
    allowList: (req) => req.url.startsWith('/api/loopback/'),
    errorResponseBuilder: (_req, ctx) => new RateLimitedError(ctx.after)
  })

  await app.register(underPressure, {
    maxEventLoopDelay: config.MAX_EVENT_LOOP_DELAY_MS,
    sampleInterval: PRESSURE_SAMPLE_MS,
    // under-pressure reports an interval with no delay sample at all (the process got no CPU for
    // the whole interval) as an infinite delay. All it shows is a delay of at least one interval:
    // shed only if that already passes the limit.
    pressureHandler: async (_req, _reply, type, value) => {
      if (type === 'eventLoopDelay' && value === Infinity && PRESSURE_SAMPLE_MS <= config.MAX_EVENT_LOOP_DELAY_MS) return
      throw Object.assign(new OverloadedError(), { headers: { 'retry-after': '10' } })
    }
  })
}, { name: 'security' })

/** How often the event-loop delay is sampled for load shedding. */
const PRESSURE_SAMPLE_MS = 1000
