import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3'
import { PrismaClient } from './generated/client.js'
import { sqlitePath } from './migrate.js'

export type { PrismaClient }

/**
 * How long a write waits for another writer's lock. better-sqlite3 waits synchronously, holding the
 * event loop: short, so that another process holding a write transaction (a backup, the `sqlite3`
 * shell) costs a request a 503 + Retry-After, not the whole API its responsiveness.
 */
export const BUSY_TIMEOUT_MS = 250

/** A Prisma client over better-sqlite3, in WAL mode so that readers never wait on the runner's writes. */
export async function createPrismaClient (url: string, busyTimeoutMs = BUSY_TIMEOUT_MS): Promise<PrismaClient> {
  const prisma = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: `file:${sqlitePath(url)}` }) })
  await prisma.$queryRawUnsafe('PRAGMA journal_mode = WAL')
  // WAL makes NORMAL durable against process crashes (kill -9); only an OS crash can lose the last commit.
  await prisma.$queryRawUnsafe('PRAGMA synchronous = NORMAL')
  await prisma.$queryRawUnsafe(`PRAGMA busy_timeout = ${Math.trunc(busyTimeoutMs)}`)
  return prisma
}
