import fp from 'fastify-plugin'
import { openStore } from '../store/prisma-store.js'
import type { Store } from '../store/types.js'

declare module 'fastify' {
  interface FastifyInstance {
    store: Store
  }
}

/** Connects the store; migrations are applied by the process (server.ts) or the test template. */
export default fp(async function storePlugin (app, opts: { databaseUrl: string }) {
  const store = await openStore(opts.databaseUrl)
  app.decorate('store', store)
  app.addHook('onClose', async () => { await store.close() })
}, { name: 'store' })
