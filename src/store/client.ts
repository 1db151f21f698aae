import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3'
import { PrismaClient } from './generated/client.js'
import { sqlitePath } from './migrate.js'
import { dialectOf } from './url.js'

export type { PrismaClient }
export { dialectOf, type Dialect } from './url.js'

/**
 * How long a write waits for another writer's lock. better-sqlite3 waits synchronously, holding the
 * event loop: short, so that another process holding a write transaction (a backup, the `sqlite3`
 * shell) costs a request a 503 + Retry-After, not the whole API its responsiveness.
 */
export const BUSY_TIMEOUT_MS = 250

/**
 * PostgreSQL ends a session that sits idle inside a transaction for this long, rolling it back. A
 * process paused mid-transaction (SIGSTOP, a VM freeze) would otherwise hold its row locks for as
 * long as it is paused, and every API instance's lease sweep, which must interrupt exactly that
 * process's job, would wait behind them (and exhaust its pool). Healthy transactions here idle
 * microseconds between their statements.
 */
export const IDLE_IN_TRANSACTION_MS = 5000

/**
 * A Prisma client for a DATABASE_URL. SQLite: over better-sqlite3, in WAL mode so that readers never
 * wait on the runner's writes. PostgreSQL: over node-postgres (a pool of 10; `sslmode` and the other
 * URL parameters are honoured by pg's connection-string parser).
 *
 * The PostgreSQL client is generated from the twin schema (prisma/postgres/schema.prisma, derived from
 * the SQLite one by scripts/pg-schema.mjs): the same models, fields and methods, but a distinct type,
 * so it is typed here as the SQLite client that every store module is written against.
 */
export async function createPrismaClient (url: string, busyTimeoutMs = BUSY_TIMEOUT_MS): Promise<PrismaClient> {
  if (dialectOf(url) === 'postgres') {
    // Loaded only here: a SQLite server and its runner never load the PostgreSQL client or pg.
    const [{ PrismaPg }, { PrismaClient: PgPrismaClient }] = await Promise.all([import('@prisma/adapter-pg'), import('./generated-pg/client.js')])
    const pg = new PgPrismaClient({ adapter: new PrismaPg({ connectionString: url, idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_MS }) })
    await pg.$connect()
    return pg as unknown as PrismaClient
  }
  const prisma = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: `file:${sqlitePath(url)}` }) })
  try {
    await prisma.$queryRawUnsafe('PRAGMA journal_mode = WAL')
    // WAL makes NORMAL durable against process crashes (kill -9); only an OS crash can lose the last commit.
    await prisma.$queryRawUnsafe('PRAGMA synchronous = NORMAL')
    await prisma.$queryRawUnsafe(`PRAGMA busy_timeout = ${Math.trunc(busyTimeoutMs)}`)
  } catch (err) {
    // On a full disk this fails (disk I/O error) and the store tries again later: no file left open.
    await prisma.$disconnect().catch(() => {})
    throw err
  }
  return prisma
}

/**
 * Whether `err` is a database call that failed because its PostgreSQL connection was gone: ended by
 * the server (a restart, `idle_in_transaction_session_timeout` after the process was paused), or a
 * Prisma transaction that closed with it. Prisma 6.19 leaves the rollback of such a transaction as a
 * rejected promise nobody awaits; a process must survive that, since the lease (not the process)
 * decides what happens to a job whose database calls failed.
 */
export function isConnectionLost (err: unknown): boolean {
  const e = err as { code?: unknown, message?: unknown } | null
  if (e === null || typeof e !== 'object') return false
  if (e.code === 'P2028' || e.code === '57P01' || e.code === '57P05') return true
  return typeof e.message === 'string' && /Connection terminated|terminating connection|Transaction already closed|Client has encountered a connection error/.test(e.message)
}
