import { createPrismaClient, dialectOf, type PrismaClient } from './client.js'
import { sqlitePath } from './migrate.js'
import { methods, PrismaDb, type StoreOptions } from './prisma/db.js'
import { PrismaHistoryStore } from './prisma/history.js'
import { PrismaHostStore } from './prisma/hosts.js'
import { PrismaJobStore } from './prisma/jobs.js'
import { PrismaRunStore } from './prisma/runs.js'
import { PrismaTokenStore } from './prisma/tokens.js'
import type { HistoryStore, HostStore, JobStore, RunStore, Store, TokenStore } from './types.js'

export { StoreDeadlineError, StoreDiskFullError, TRANSACTION_DEADLINE_MS, type StoreOptions } from './prisma/db.js'
export { jobIdQuery } from './prisma/jobs.js'

/**
 * The Prisma store (SQLite): one module per aggregate under src/store/prisma/, over one shared
 * client whose transactions have a deadline (src/store/prisma/db.ts).
 */
export function createPrismaStore (prisma: PrismaClient, opts: StoreOptions = {}): Store {
  const db = new PrismaDb(prisma, opts)
  return {
    ...methods<HostStore>(new PrismaHostStore(db)),
    ...methods<JobStore>(new PrismaJobStore(db)),
    ...methods<RunStore>(new PrismaRunStore(db)),
    ...methods<HistoryStore>(new PrismaHistoryStore(db)),
    ...methods<TokenStore>(new PrismaTokenStore(db)),
    async ping () {
      await db.client.$queryRawUnsafe('SELECT 1')
    },
    async close () {
      await db.close()
    }
  }
}

/**
 * The store of a DATABASE_URL (`file:` SQLite or `postgres://` PostgreSQL), able to replace a broken
 * client and, on SQLite, to say when its disk is full.
 */
export async function openStore (databaseUrl: string): Promise<Store> {
  const connect = async (): Promise<PrismaClient> => await createPrismaClient(databaseUrl)
  const dialect = dialectOf(databaseUrl)
  return createPrismaStore(await connect(), { connect, dialect, file: dialect === 'sqlite' ? sqlitePath(databaseUrl) : undefined })
}
