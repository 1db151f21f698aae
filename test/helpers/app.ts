import type { FastifyInstance } from 'fastify'
import type { TestContext } from 'node:test'
import { pino } from 'pino'
import { buildApp } from '../../src/app.js'
import type { RunnerMode } from '../../src/plugins/runner.js'
import { loadConfig, type Config } from '../../src/config.js'
import { tempDatabase } from './db.js'

export interface Built {
  app: FastifyInstance
  config: Config
  dir: string
}

/**
 * Builds the app exactly as server.ts does, on a fresh migrated SQLite file, silent logs.
 * Pass `ready: false` to add test-only routes before the app starts.
 */
export async function build (t: TestContext, env: Record<string, string> = {}, opts: { ready?: boolean, databaseUrl?: string, runner?: RunnerMode, runnerHttpBase?: string } = {}): Promise<Built> {
  const db = opts.databaseUrl !== undefined ? { url: opts.databaseUrl, dir: '' } : await tempDatabase(t)
  // A loaded CI machine can stall a test process for a second (tsx compiling a worker, say);
  // load shedding is tested on its own, so elsewhere it must not turn that into a 503.
  // Other test files load this machine: a disturbed run redone would change the runs a test counts.
  // Redos are tested on their own (test/jobs/disturbed.test.ts).
  const config = loadConfig({ LOG_LEVEL: 'silent', MAX_EVENT_LOOP_DELAY_MS: '60000', REDO_DISTURBED: '0', ...env, DATABASE_URL: db.url })
  // The runner in this process (tests only): app.inject tests need no second process per app;
  // the runner process itself is tested against real processes (test/jobs/runner-process.test.ts).
  const app = await buildApp({ config, logger: pino({ level: config.LOG_LEVEL }), runner: opts.runner ?? 'inline', runnerHttpBase: opts.runnerHttpBase })
  t.after(async () => { await app.close() })
  if (opts.ready !== false) await app.ready()
  return { app, config, dir: db.dir }
}
