import fp from 'fastify-plugin'
import { hostFingerprint, type HostFingerprint } from '../host/fingerprint.js'

declare module 'fastify' {
  interface FastifyInstance {
    host: HostFingerprint
  }
}

/** Fingerprints this machine once at start and records it, so every job can name its host. */
export default fp(async function hostPlugin (app) {
  const host = hostFingerprint()
  await app.store.upsertHost(host)
  app.decorate('host', host)
}, { name: 'host', dependencies: ['store'] })
