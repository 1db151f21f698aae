import cors from '@fastify/cors'
import helmet from '@fastify/helmet'
import Fastify, { type FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { corsOrigins, type Config } from '../config.js'
import { OverloadedError } from '../errors.js'
import rateLimitPlugin from './rate-limit.js'

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
  if (origins.length > 0) await app.register(cors, { origin: origins, methods: ['GET', 'POST', 'PUT', 'DELETE'], allowedHeaders: ['authorization', 'content-type', 'if-none-match', 'if-modified-since'], exposedHeaders: ['etag', 'last-modified', 'retry-after', 'location'] })

  await app.register(rateLimitPlugin, { config })
  shedLoad(app, config.MAX_EVENT_LOOP_DELAY_MS)
}, { name: 'security' })

const RESOLUTION_MS = 10
const SAMPLE_MS = 1000

/**
 * Load shedding: while the mean event-loop delay of the last second is past `maxDelayMs`, every
 * request gets 503 + Retry-After instead of a timeout. This replaces @fastify/under-pressure, whose
 * sampling timer calls process.memoryUsage() on every tick whatever it checks: that opens
 * /proc/self/statm, and with no descriptor left it throws EMFILE from a timer, killing the process.
 * Only the delay histogram is read here, which needs no descriptor.
 */
function shedLoad (app: FastifyInstance, maxDelayMs: number): void {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
  histogram.enable()
  let delayMs = 0
  let last = performance.now()
  const timer = setInterval(() => {
    const now = performance.now()
    // No sample in the window means the loop was blocked all along: then its delay is how late this
    // tick is (under-pressure takes Infinity there, which sheds for a whole second after any stall).
    delayMs = histogram.count === 0 ? Math.max(0, now - last - SAMPLE_MS) : Math.max(0, histogram.mean / 1e6 - RESOLUTION_MS)
    last = now
    histogram.reset()
  }, SAMPLE_MS)
  timer.unref()
  app.addHook('onRequest', (_req, _reply, done) => {
    if (delayMs > maxDelayMs) done(Object.assign(new OverloadedError(), { headers: { 'retry-after': '10' } }))
    else done()
  })
  app.addHook('onClose', (_app, done) => {
    clearInterval(timer)
    histogram.disable()
    done()
  })
}
