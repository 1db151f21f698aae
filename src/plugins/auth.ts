import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { performance } from 'node:perf_hooks'
import { hashToken, presentedToken } from '../auth/tokens.js'
import { corsOrigins, type Config } from '../config.js'
import { ForbiddenError, UnauthorizedError } from '../errors.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The API token that authenticated this request, if any. */
    tokenId: string | null
  }
}

const ALWAYS_PUBLIC = /^\/api\/(health|loopback\/)/
const READS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** Reads that READS_REQUIRE_TOKEN protects: the API and metrics, not health, loopback or the dashboard. */
function protectedPath (url: string): boolean {
  const path = url.split('?')[0] ?? ''
  return (path.startsWith('/api/') || path === '/metrics') && !ALWAYS_PUBLIC.test(path)
}

const TOKEN_CACHE_MS = 5000

/**
 * Bearer tokens (DESIGN.md §9). While no token exists the server is open (and only allowed on
 * loopback, see server.ts); once one exists every write needs one, and reads too when configured.
 * Browsers cannot set headers on a WebSocket, so an upgrade may carry the token as `?token=`.
 */
export default fp(async function authPlugin (app, opts: { config: Config }) {
  const { config } = opts
  const allowedOrigins = new Set(corsOrigins(config))
  app.decorateRequest('tokenId', null)

  // The CLI creates tokens from another process, so the count is re-read every few seconds. On the
  // monotonic clock: with Date.now() a wall clock stepped back kept "no tokens" (an open server)
  // for the length of the step.
  let cached = { count: 0, at: -Infinity }
  const activeTokens = async (): Promise<number> => {
    if (performance.now() - cached.at > TOKEN_CACHE_MS) cached = { count: await app.store.countActiveTokens(), at: performance.now() }
    return cached.count
  }

  /** The token check proper, for the requests that need one (writes, protected reads, guarded upgrades). */
  const check = async (req: FastifyRequest, write: boolean): Promise<void> => {
    if (await activeTokens() === 0) return
    const token = presentedToken(req)
    if (token === undefined) throw new UnauthorizedError(`${write ? 'writes' : 'reads'} need an API token: send Authorization: Bearer <token>`)
    const hash = hashToken(token)
    const row = await app.store.findToken(hash)
    // The rate limiter (which ran before this) gives a token its own bucket only once it is known good.
    if (row === undefined) {
      app.knownTokens.delete(hash)
      throw new UnauthorizedError('the API token is unknown or revoked')
    }
    app.knownTokens.set(hash, true)
    req.tokenId = row.id
  }

  // Synchronous for the requests that need no token (every read unless READS_REQUIRE_TOKEN): an async
  // hook would cost each of them a promise and a trip through the microtask queue.
  app.addHook('onRequest', (req, _reply, done) => {
    const upgrade = req.headers.upgrade?.toLowerCase() === 'websocket'
    if (upgrade && req.headers.origin !== undefined) {
      // Cross-site WebSocket hijacking: a page elsewhere must not read the streams with our cookies or network position.
      const origin = req.headers.origin
      const sameHost = (() => { try { return new URL(origin).host === req.headers.host } catch { return false } })()
      if (!sameHost && !allowedOrigins.has(origin)) {
        done(new ForbiddenError(`WebSocket origin ${origin} is not allowed (CORS_ORIGINS)`))
        return
      }
    }
    const write = !READS.has(req.method)
    if (!write && !(config.READS_REQUIRE_TOKEN && protectedPath(req.url))) {
      done()
      return
    }
    check(req, write).then(() => { done() }, done)
  })

  // A reply to a token-protected read must never be stored by a shared cache (RFC 9111 §3.5: one
  // may store a reply to a request with Authorization if it says `public`) and depends on the token.
  if (config.READS_REQUIRE_TOKEN) {
    app.addHook('onSend', (req, reply, payload, done) => {
      if (READS.has(req.method) && protectedPath(req.url)) {
        const cc = reply.getHeader('cache-control')
        reply.header('cache-control', typeof cc === 'string' ? cc.replace(/\bpublic\b/, 'private') : 'private, no-cache')
        const vary = reply.getHeader('vary')
        if (typeof vary !== 'string' || !/\bauthorization\b/i.test(vary)) reply.header('vary', typeof vary === 'string' && vary !== '' ? `${vary}, authorization` : 'authorization')
      }
      done(null, payload)
    })
  }
}, { name: 'auth', dependencies: ['store', 'rate-limit'] })
