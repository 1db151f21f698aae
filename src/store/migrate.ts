import { spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root (holds prisma/ and prisma.config.ts) from src/store or dist/store alike. */
const root = fileURLToPath(new URL('../../', import.meta.url))

/** Absolute path of the SQLite file a `file:` URL points at, relative paths taken from the repo root. */
export function sqlitePath (url: string): string {
  return resolve(root, url.replace(/^file:/, ''))
}

/**
 * Creates the database directory and applies pending migrations with `prisma migrate deploy`.
 * The Prisma CLI is the one tool that owns the `_prisma_migrations` bookkeeping, so we run it rather
 * than replaying SQL ourselves; it takes about a second and a half.
 */
export async function migrate (url: string): Promise<void> {
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
