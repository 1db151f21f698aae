import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * dist/web, built by scripts/build-web.mjs. Resolved from this file: src/plugins → ../../dist/web
 * when run through tsx, dist/plugins → ../../dist/web when run from the build.
 */
export const DASHBOARD_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'web')

/** The files the build writes; nothing else under dist/web is served. */
const ASSETS: Record<string, string> = {
  'app.js': 'no-cache',
  'app.js.map': 'no-cache',
  'app.js.LEGAL.txt': 'no-cache',
  'style.css': 'no-cache',
  'uPlot.min.css': 'no-cache'
}

// The dashboard talks only to this origin (fetch and its WebSockets) and loads nothing from elsewhere.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'"
].join('; ')

export interface DashboardOptions {
  /** Where the built bundle is; tests point it elsewhere. */
  root?: string
}

/**
 * The dashboard at `/` (DESIGN.md §10): index.html and a handful of named assets from dist/web.
 * Only those exact paths are routed, so /api/*, /docs and /metrics are never shadowed and unknown
 * paths still get the app's JSON 404. Without a build every dashboard path answers a 503 that says
 * how to build it.
 */
export default async function dashboard (app: FastifyInstance, opts: DashboardOptions = {}): Promise<void> {
  const root = opts.root ?? DASHBOARD_ROOT
  await app.register(fastifyStatic, { root, serve: false, suppressWarning: true })

  const notBuilt = async (reply: FastifyReply): Promise<FastifyReply> => await reply.code(503).header('cache-control', 'no-store').send({
    statusCode: 503,
    code: 'COREBENCH_ERR_DASHBOARD_NOT_BUILT',
    error: 'Service Unavailable',
    message: 'run npm run build'
  })

  const sendIndex = async (reply: FastifyReply): Promise<FastifyReply> => {
    if (!existsSync(join(root, 'index.html'))) return await notBuilt(reply)
    return await reply
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .sendFile('index.html', root, { cacheControl: false })
  }

  const hide = { schema: { hide: true } }
  app.get('/', hide, async (_req, reply) => await sendIndex(reply))
  app.get('/index.html', hide, async (_req, reply) => await sendIndex(reply))
  for (const [file, cacheControl] of Object.entries(ASSETS)) {
    app.get(`/${file}`, hide, async (_req, reply) => {
      if (!existsSync(join(root, file))) {
        return existsSync(join(root, 'index.html')) ? await reply.callNotFound() : await notBuilt(reply)
      }
      return await reply.header('cache-control', cacheControl).header('x-content-type-options', 'nosniff').sendFile(file, root, { cacheControl: false })
    })
  }
}
