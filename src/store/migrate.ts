import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { dialectOf } from './url.js'

/** The repository root (holds prisma/ and prisma.config.ts) from src/store or dist/store alike. */
const root = fileURLToPath(new URL('../../', import.meta.url))

/** Absolute path of the SQLite file a `file:` URL points at, relative paths taken from the repo root. */
export function sqlitePath (url: string): string {
  return resolve(root, url.replace(/^file:/, ''))
}

/**
 * Brings the database of `url` to the current schema.
 *
 * SQLite: creates the database directory and applies pending migrations with `prisma migrate
 * deploy`. The Prisma CLI is the one tool that owns the `_prisma_migrations` bookkeeping, so we run it
 * rather than replaying SQL ourselves; it takes about a second and a half.
 * PostgreSQL: applies prisma/postgres/migrations (src/store/pg-migrate.ts). With `ddl: false` (a
 * runner, whose role has no DDL rights) it only checks, and throws naming what is missing.
 */
export async function migrate (url: string, opts: { ddl?: boolean, attempts?: number } = {}): Promise<void> {
  if (dialectOf(url) === 'postgres') {
    // Loaded only here: SQLite deployments never load pg.
    const { migratePostgres, pendingPostgresMigrations } = await import('./pg-migrate.js')
    if (opts.ddl !== false) {
      await migratePostgres(url)
      return
    }
    const pending = await pendingPostgresMigrations(url)
    if (pending.length > 0) throw new Error(`the database lacks migrations ${pending.join(', ')}: start an API (\`corebench serve\`) on it first, which applies them; runners do not`)
    return
  }
  const attempts = opts.attempts ?? 5
  // Prisma's schema engine fails at once (no busy timeout) on a file another process has open with
  // Prisma, e.g. a second server started on the database of a live one; with nothing pending there
  // is nothing for it to do, and start-up is 1.5 s faster.
  if (!pendingMigrations(sqlitePath(url))) return
  for (let attempt = 1; ; attempt++) {
    try {
      await deploy(url)
      return
    } catch (err) {
      // The schema engine has no busy timeout: a runner writing to the same file (a second server
      // started beside a live one, say) makes its bookkeeping fail at once. Such locks last
      // milliseconds; anything that persists is reported.
      if (attempt >= attempts) throw err
      await new Promise(resolve => setTimeout(resolve, 100 * 2 ** attempt))
    }
  }
}

// better-sqlite3 ships no types; this is the little of it used here.
interface SqliteHandle { prepare: (sql: string) => { all: () => unknown[] }, close: () => void }
type SqliteCtor = new (file: string, opts: { readonly: boolean, fileMustExist: boolean }) => SqliteHandle

/** Whether the folder holds a migration the database has not finished (true when unsure). */
function pendingMigrations (file: string): boolean {
  if (!existsSync(file)) return true
  const wanted = readdirSync(join(root, 'prisma', 'migrations'), { withFileTypes: true }).filter(d => d.isDirectory()).map(d => d.name)
  let db: SqliteHandle | undefined
  try {
    db = new (createRequire(import.meta.url)('better-sqlite3') as SqliteCtor)(file, { readonly: true, fileMustExist: true })
    const done = new Set((db.prepare('SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL').all() as Array<{ name: string }>).map(r => r.name))
    return wanted.some(name => !done.has(name))
  } catch {
    return true
  } finally {
    db?.close()
  }
}

async function deploy (url: string): Promise<void> {
  const file = sqlitePath(url)
  mkdirSync(dirname(file), { recursive: true })
  const cli = join(dirname(createRequire(import.meta.url).resolve('prisma/package.json')), 'build', 'index.js')
  const child = spawn(process.execPath, [cli, 'migrate', 'deploy'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: `file:${file}`, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  // Only the end of the CLI's output is ever shown: keep a bounded tail, not everything it prints.
  let output = ''
  const keep = (d: Buffer): void => { output = (output + d.toString()).slice(-16_384) }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', resolve)
  })
  if (code !== 0) {
    throw new Error(`prisma migrate deploy failed (exit ${code}): ${output.trim().split('\n').slice(-5).join(' | ')}`)
  }
}
