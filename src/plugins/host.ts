import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import { hostFingerprint, type HostFingerprint } from '../host/fingerprint.js'
import { discoverRuntimes, type Runtimes } from '../runtimes/runtimes.js'

declare module 'fastify' {
  interface FastifyInstance {
    host: HostFingerprint
    runtimes: Runtimes
  }
}

/**
 * Fingerprints this machine once at start and records it, so every job can name its host; finds the
 * runtimes it can run jobs in (interpreters are not part of the fingerprint: installing Python does
 * not make Node's history incomparable).
 */
export default fp<{ config: Config }>(async function hostPlugin (app, { config }) {
  const host = hostFingerprint()
  await app.store.upsertHost(host)
  app.decorate('host', host)
  const runtimes = await discoverRuntimes(config.PYTHON)
  for (const r of runtimes.list) {
    if (r.available) app.log.info({ runtime: r.id, version: r.version, executable: r.executable }, `runtime ${r.id}: ${r.version}`)
    else if (r.id === 'python') app.log.warn({ runtime: r.id }, `runtime ${r.id} unavailable: ${r.reason ?? ''}`)
  }
  app.decorate('runtimes', runtimes)
}, { name: 'host', dependencies: ['store'] })
