import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { stat } from './lib.js'
import { BENCH_ENV } from './service.js'

// List latency with a long history (issue 20 §7): `node --import tsx bench/list.ts [--jobs 100000]
// [--reps 30] [--checkout /path/to/other/checkout]`. Seeds a migrated SQLite file with raw
// better-sqlite3 (100 000 jobs in about a second; through Prisma it would take minutes), then times
// GET /api/jobs with each filter, a deep cursor page and GET /api/history through app.inject (no
// network), median of --reps after one warm-up. --checkout builds that checkout's app on the same
// kind of data instead (old vs new code); tags go into JobTag only where the table exists.

const { values } = parseArgs({ options: { jobs: { type: 'string', default: '100000' }, reps: { type: 'string', default: '30' }, checkout: { type: 'string' } } })
const N = Number(values.jobs)
const REPS = Number(values.reps)
const root = values.checkout === undefined ? new URL('..', import.meta.url).pathname : resolve(values.checkout)
const { buildApp } = await import(join(root, 'src/app.ts')) as typeof import('../src/app.js')
const { loadConfig } = await import(join(root, 'src/config.ts')) as typeof import('../src/config.js')
const { migrate } = await import(join(root, 'src/store/migrate.ts')) as typeof import('../src/store/migrate.js')

const dir = mkdtempSync(join(tmpdir(), 'corebench-bench-list-'))
const file = join(dir, 'corebench.db')
const WORKLOADS = ['fibonacci', 'sum-range', 'primes', 'matmul', 'hash', 'sleep']
const HOSTS = ['host-a', 'host-b', 'host-c']
const SPECS = Array.from({ length: 100 }, (_, i) => i.toString(16).padStart(16, '0'))
// Deterministic mix: most jobs finished, 1 % failed; a branch tag with 20 values, one rare branch.
const statusOf = (i: number): string => i % 100 === 7 ? 'failed' : i % 500 === 3 ? 'cancelled' : 'finished'
const branchOf = (i: number): string => i % 10_000 === 42 ? 'rare_branch' : `feature-${i % 20}`

try {
  await migrate(`file:${file}`)
  const t0 = performance.now()
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  const hasTags = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'JobTag'").get() !== undefined
  const host = db.prepare('INSERT INTO "Host" (id, hostname, cpuModel, logicalCores, availableParallelism, totalMemoryMb, platform, arch, release, nodeVersion, corebenchVersion) VALUES (?, ?, ?, 2, 2, 4096, ?, ?, ?, ?, ?)')
  const job = db.prepare('INSERT INTO "Job" (id, name, status, workloadId, specHash, spec, tags, warnings, summary, tasksDone, tasksTotal, createdAt, startedAt, finishedAt, hostId) VALUES (?, ?, ?, ?, ?, ?, ?, \'[]\', ?, 16, 16, ?, ?, ?, ?)')
  const tag = hasTags ? db.prepare('INSERT INTO "JobTag" (jobId, key, value) VALUES (?, ?, ?)') : undefined
  const start = Date.parse('2026-01-01T00:00:00Z')
  db.transaction(() => {
    for (const h of HOSTS) host.run(h, h, 'bench cpu', 'linux', 'x64', '6.1', 'v20.20.2', '0.1.0')
    for (let i = 0; i < N; i++) {
      const at = start + i * 60_000
      const id = `j_${at.toString(36).padStart(9, '0')}${i.toString(16).padStart(10, '0')}`
      const workload = WORKLOADS[i % WORKLOADS.length] as string
      const tags = { branch: branchOf(i), commit: i.toString(16) }
      const spec = { name: `job ${i}`, workload: { id: workload, params: {} }, tasks: 16, runtimes: ['node'], executors: ['serialized'], workers: [1], repetitions: 3, warmup: 1, taskTimeoutMs: 30000, tags }
      const summary = { cells: [{ key: 'serialized/1', runtime: 'node', executor: 'serialized', workers: 1, runs: 3, medianWallMs: 100 + (i % 7), medianWallCi95: null, speedup: 1, speedupCi95: null }], scaling: [], bestSpeedup: null, warnings: [] }
      const iso = new Date(at).toISOString()
      job.run(id, `job ${i}`, statusOf(i), workload, SPECS[i % SPECS.length], JSON.stringify(spec), JSON.stringify(tags), JSON.stringify(summary), iso, iso, iso, HOSTS[i % HOSTS.length])
      if (tag !== undefined) for (const [k, v] of Object.entries(tags)) tag.run(id, k, v)
    }
  })()
  const middle = (db.prepare('SELECT id FROM "Job" ORDER BY id LIMIT 1 OFFSET ?').get(Math.floor(N / 2)) as { id: string }).id
  db.close()
  process.stderr.write(`[bench] list: ${N} jobs seeded with raw better-sqlite3 in ${((performance.now() - t0) / 1000).toFixed(1)} s${hasTags ? '' : ' (no JobTag table in this checkout)'}\n`)

  const config = loadConfig({ ...BENCH_ENV, DATABASE_URL: `file:${file}` })
  const app = await buildApp({ config, logger: pino({ level: 'silent' }) })
  await app.ready()
  try {
    const cases: Array<[string, string]> = [
      ['no filter', '/api/jobs'],
      ['status=finished (98 %)', '/api/jobs?status=finished'],
      ['status=failed (1 %)', '/api/jobs?status=failed'],
      ['workload (1/6)', '/api/jobs?workload=primes'],
      ['host (1/3)', '/api/jobs?host=host-b'],
      ['specHash (1/100)', `/api/jobs?specHash=${SPECS[5] as string}`],
      ['tag, common (1/20)', '/api/jobs?tag=branch:feature-3'],
      ['tag, rare (1/10 000)', '/api/jobs?tag=branch:rare_branch'],
      ['cursor, mid-history', `/api/jobs?cursor=${middle}`],
      ['status + cursor', `/api/jobs?status=finished&cursor=${middle}`],
      ['history (spec, finished)', `/api/history?specHash=${SPECS[5] as string}&executor=serialized`],
      ['history + tag', `/api/history?specHash=${SPECS[5] as string}&executor=serialized&tag=branch:feature-5`]
    ]
    console.log(`| GET (${N} jobs, limit 20${values.checkout === undefined ? '' : `, ${root}`}) | median ms | min | max | items |`)
    console.log('| --- | ---: | ---: | ---: | ---: |')
    for (const [name, url] of cases) {
      const times: number[] = []
      let items = 0
      for (let r = 0; r <= REPS; r++) {
        const t = performance.now()
        const res = await app.inject(url)
        const ms = performance.now() - t
        if (res.statusCode === 400) break // a filter this checkout does not offer
        if (res.statusCode !== 200) throw new Error(`bench: ${url} answered ${res.statusCode}: ${res.body.slice(0, 200)}`)
        if (r > 0) times.push(ms)
        const body = res.json() as { items?: unknown[], points?: unknown[] }
        items = (body.items ?? body.points ?? []).length
      }
      if (times.length === 0) {
        console.log(`| ${name} | not offered | | | |`)
        continue
      }
      const s = stat(times)
      console.log(`| ${name} | ${s.median.toFixed(2)} | ${s.min.toFixed(2)} | ${s.max.toFixed(2)} | ${items} |`)
    }
  } finally {
    await app.close()
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
