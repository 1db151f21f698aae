import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'

/** The PostgreSQL migrations, one folder per migration holding `migration.sql`, applied in name order. */
export const PG_MIGRATIONS_DIR = fileURLToPath(new URL('../../prisma/postgres/migrations/', import.meta.url))

/** Key of the session advisory lock that serialises migrations of API instances starting together. */
const MIGRATION_LOCK_KEY = 0x636f7265 // "core"

export interface AppliedMigration {
  name: string
  /** sha256 of the migration file as applied. */
  checksum: string
}

/**
 * Applies the pending migrations of `dir` to the PostgreSQL database at `url`, each in its own
 * transaction, under a session advisory lock so that several API instances starting at once apply each
 * migration exactly once. Returns the names it applied (empty when the database was current).
 *
 * Why not `prisma migrate deploy`: Prisma 6.19's schema engine through `@prisma/adapter-pg` fails on a
 * fresh database and splits scripts on every `;` (STACK.md, prisma/orm#27403). The SQL itself is still
 * Prisma's: `scripts/pg-migration.mjs` writes each file with `prisma migrate diff`.
 *
 * Errors: a migration that fails rolls back and throws with its name; a migration whose file changed
 * after it was applied throws (the database no longer matches the history on disk).
 * Needs DDL rights: runners never call it (README, "Team mode": the runner role has none).
 */
export async function migratePostgres (url: string, dir = PG_MIGRATIONS_DIR): Promise<string[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY])
    await client.query(`CREATE TABLE IF NOT EXISTS "_corebench_migrations" (
      "name" TEXT PRIMARY KEY, "checksum" TEXT NOT NULL, "appliedAt" TIMESTAMPTZ NOT NULL DEFAULT now())`)
    const done = new Map((await client.query<AppliedMigration>('SELECT "name", "checksum" FROM "_corebench_migrations"')).rows.map(r => [r.name, r.checksum]))
    const applied: string[] = []
    for (const { name, sql } of readMigrations(dir)) {
      const checksum = createHash('sha256').update(sql).digest('hex')
      const had = done.get(name)
      if (had !== undefined) {
        if (had !== checksum) throw new Error(`migration ${name} changed after it was applied to this database (checksum ${had.slice(0, 12)} → ${checksum.slice(0, 12)})`)
        continue
      }
      try {
        await client.query('BEGIN')
        // One query: the simple protocol runs a multi-statement script as-is ($$ bodies included).
        await client.query(sql)
        await client.query('INSERT INTO "_corebench_migrations" ("name", "checksum") VALUES ($1, $2)', [name, checksum])
        await client.query('COMMIT')
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {})
        throw new Error(`migration ${name} failed: ${(err as Error).message}`, { cause: err })
      }
      applied.push(name)
    }
    return applied
  } finally {
    // Ending the session releases the advisory lock too, also when a query above threw.
    await client.end()
  }
}

function readMigrations (dir: string): Array<{ name: string, sql: string }> {
  return readdirSync(dir, { withFileTypes: true })
    .filter(d => d.isDirectory())
    .map(d => d.name)
    .sort()
    .map(name => ({ name, sql: readFileSync(join(dir, name, 'migration.sql'), 'utf8') }))
}

/**
 * Names of the migrations of `dir` that the database at `url` has not applied, read without DDL (a
 * runner's role may only read): all of them when the bookkeeping table does not exist yet.
 */
export async function pendingPostgresMigrations (url: string, dir = PG_MIGRATIONS_DIR): Promise<string[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows: [table] } = await client.query<{ t: string | null }>(`SELECT to_regclass('"_corebench_migrations"')::text AS t`)
    const done = table?.t == null ? new Set<string>() : new Set((await client.query<{ name: string }>('SELECT "name" FROM "_corebench_migrations"')).rows.map(r => r.name))
    return readMigrations(dir).map(m => m.name).filter(name => !done.has(name))
  } finally {
    await client.end()
  }
}
