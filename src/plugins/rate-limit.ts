import rateLimit from '@fastify/rate-limit'
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { LRUCache } from 'lru-cache'
import { performance } from 'node:perf_hooks'
import { hashToken, presentedToken } from '../auth/tokens.js'
import type { Config } from '../config.js'
import { RateLimitedError } from '../errors.js'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Digests of tokens that authenticated in this process: only those get a rate bucket of their
     * own. The auth plugin adds a digest after a successful lookup and removes it after a failed one.
     */
    knownTokens: LRUCache<string, true>
  }
}

interface Bucket { current: number, ttl: number, startMs: number }
type Callback = (err: Error | null, res: { current: number, ttl: number }) => void

/**
 * The @fastify/rate-limit store interface (`incr`, `read`, `child`) on the monotonic clock. The
 * plugin's own LocalStore times its windows with `Date.now()`: a wall clock stepped back by an
 * hour (NTP on a VM) would keep every bucket full, and blocked clients refused, for that hour.
 * Fixed windows as in LocalStore: `timeWindow` ms from a key's first request.
 */
export class MonotonicStore {
  private readonly buckets: LRUCache<string, Bucket>

  constructor (_params?: unknown, private readonly now: () => number = () => performance.now(), max = 10_000) {
    this.buckets = new LRUCache({ max })
  }

  incr (key: string, cb: Callback, timeWindow: number): void {
    const now = this.now()
    let b = this.buckets.get(key)
    if (b === undefined || now - b.startMs >= timeWindow) {
      b = { current: 0, ttl: timeWindow, startMs: now }
      this.buckets.set(key, b)
    }
    b.current++
    b.ttl = Math.max(0, timeWindow - (now - b.startMs))
    cb(null, { current: b.current, ttl: b.ttl })
  }

  read (key: string, cb: Callback, timeWindow: number): void {
    const now = this.now()
    const b = this.buckets.get(key)
    if (b === undefined || now - b.startMs >= timeWindow) cb(null, { current: 0, ttl: 0 })
    else cb(null, { current: b.current, ttl: timeWindow - (now - b.startMs) })
  }

  child (): MonotonicStore {
    return new MonotonicStore(undefined, this.now)
  }
}

/**
 * Rate limits per client (DESIGN.md §9), counted before anything costs: the limiter runs as an
 * app-wide onRequest hook registered ahead of the auth plugin, so a refused request has been
 * counted before its token is looked up, and a flood of bad tokens meets 429s, not the database.
 * A request is keyed by its token only when that token has already authenticated in this process
 * (a team behind one NAT is many clients); any other request, unknown tokens included, counts
 * against its address, so inventing tokens does not buy fresh buckets.
 */
export default fp(async function rateLimitPlugin (app, opts: { config: Config }) {
  const knownTokens = new LRUCache<string, true>({ max: 10_000 })
  app.decorate('knownTokens', knownTokens)
  const keyOf = (req: FastifyRequest): string => {
    const token = presentedToken(req)
    if (token !== undefined) {
      const hash = hashToken(token)
      if (knownTokens.has(hash)) return `token:${hash.slice(0, 16)}`
    }
    return `ip:${req.ip}`
  }
  // global: false and one root hook instead of the plugin's per-route hooks, which would run after
  // every app-wide onRequest hook (auth's included) and never for unknown routes.
  await app.register(rateLimit, {
    global: false,
    max: opts.config.RATE_LIMIT_PER_MINUTE,
    timeWindow: 60_000,
    store: MonotonicStore,
    keyGenerator: keyOf,
    // The http-get workload's own target must never throttle a benchmark.
    allowList: (req) => req.url.startsWith('/api/loopback/'),
    errorResponseBuilder: (_req, ctx) => new RateLimitedError(ctx.after)
  })
  app.addHook('onRequest', app.rateLimit())
}, { name: 'rate-limit' })
