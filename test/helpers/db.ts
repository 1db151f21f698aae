import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { migrate } from '../../src/store/migrate.js'

const migrationsDir = new URL('../../prisma/migrations/', import.meta.url)

/** A migrated SQLite file built once per set of migrations and shared by every test file. */
async function template (): Promise<string> {
  const h = createHash('sha256')
  for (const name of readdirSync(migrationsDir).sort()) {
    const sql = new URL(`${name}/migration.sql`, migrationsDir)
    if (existsSync(sql)) h.update(name).update(readFileSync(sql))
  }
  const file = join(tmpdir(), `corebench-template-${h.digest('hex').slice(0, 12)}.db`)
  if (!existsSync(file)) {
    const dir = mkdtempSync(join(tmpdir(), 'corebench-tpl-'))
    await migrate(`file:${join(dir, 'db.sqlite')}`)
    // rename is atomic, so concurrent test files never see a half-written template.
    renameSync(join(dir, 'db.sqlite'), file)
    rmSync(dir, { recursive: true, force: true })
  }
  return file
}

/** A fresh migrated database file in its own temp dir, removed after the test. */
export async function tempDatabase (t: TestContext): Promise<{ url: string, dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'corebench-test-'))
  const file = join(dir, 'corebench.db')
  copyFileSync(await template(), file)
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return { url: `file:${file}`, dir }
}
