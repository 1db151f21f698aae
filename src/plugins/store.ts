import fp from 'fastify-plugin'
import { createPrismaClient } from '../store/client.js'
import { sqlitePath } from '../store/migrate.js'
import { PrismaStore } from '../store/prisma-store.js'
import type { Store } from '../store/types.js'

declare module 'fastify' {
  interface FastifyInstance {
    store: Store
  }
}

/** Connects the store; migrations are applied by the process (server.ts) or the test template. */
export default fp(async function storePlugin (app, opts: { databaseUrl: string }) {
  const store = new PrismaStore(await createPrismaClient(opts.databaseUrl), async () => await createPrismaClient(opts.databaseUrl), undefined, sqlitePath(opts.databaseUrl))
  app.decorate('store', store)
  app.addHook('onClose', async () => { await store.close() })
}, { name: 'store' })
