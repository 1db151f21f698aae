import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { bearer, hashToken } from '../auth/tokens.js'
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

  // The CLI creates tokens from another process, so the count is re-read every few seconds.
  let cached = { count: 0, at: 0 }
  const activeTokens = async (): Promise<number> => {
    if (Date.now() - cached.at > TOKEN_CACHE_MS) cached = { count: await app.store.countActiveTokens(), at: Date.now() }
    return cached.count
  }

  /** The token check proper, for the requests that need one (writes, protected reads, guarded upgrades). */
  const check = async (req: FastifyRequest, write: boolean, upgrade: boolean): Promise<void> => {
    if (await activeTokens() === 0) return
    const query = upgrade ? new URL(req.url, 'http://x').searchParams.get('token') ?? undefined : undefined
    const token = bearer(req.headers.authorization) ?? query
    if (token === undefined) throw new UnauthorizedError(`${write ? 'writes' : 'reads'} need an API token: send Authorization: Bearer <token>`)
    const row = await app.store.findToken(hashToken(token))
    if (row === undefined) throw new UnauthorizedError('the API token is unknown or revoked')
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
    check(req, write, upgrade).then(() => { done() }, done)
  })
}, { name: 'auth', dependencies: ['store'] })
