import { Type } from '@sinclair/typebox'
import { LRUCache } from 'lru-cache'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ConflictError, NotFoundError } from '../errors.js'
import { changePoints } from '../stats/changepoint.js'
import { compareJobs } from '../stats/compare-jobs.js'
import type { JobRecord, Store } from '../store/types.js'
import { JobComparisonSchema } from '../schemas/comparison.js'
import { CHANGE_WINDOW, HistorySchema, type History } from '../schemas/history.js'
import type { CellSummary, JobSummary } from '../stats/summary.js'
import { cellKey } from '../schemas/cells.js'
import { METRICS, RUNTIME_IDS } from '../schemas/vocabulary.js'
import { ExecutorKindSchema, TagFilterSchema } from '../schemas/job.js'

const JOB_ID = '^j_[0-9a-z]{9}[0-9a-f]{10}$'
const SPEC_HASH = '^[0-9a-f]{16}$'
/** Metrics where a higher value is worse (times and spread); for the others higher is better. */
const HIGHER_IS_WORSE: ReadonlySet<string> = new Set(['medianWallMs', 'startupMs', 'medianColdWallMs', 'cv'])
type Point = History['points'][number]

/** The change points of a history's values, mapped back to its points (which may hold nulls). */
function historyChanges (points: readonly Point[], metric: string): History['changePoints'] {
  const measured = points.map((p, index) => ({ p, index })).filter(x => x.p.value !== null).slice(-CHANGE_WINDOW)
  return changePoints(measured.map(x => x.p.value as number)).map(c => {
    const at = measured[c.index] as { p: Point, index: number }
    const up = c.afterMedian > c.beforeMedian
    const previousVersion = measured[c.index - 1]?.p.version ?? null
    return { index: at.index, jobId: at.p.jobId, createdAt: at.p.createdAt, beforeMedian: c.beforeMedian, afterMedian: c.afterMedian, magnitude: c.magnitude, probability: c.probability, worse: HIGHER_IS_WORSE.has(metric) ? up : !up, version: at.p.version, previousVersion }
  })
}

/** How many recent jobs a comparison reads to know a spec's job-to-job spread (src/stats/job-spread.ts). */
const SPREAD_WINDOW = 20
/** How many finished jobs of the spec on the host are looked through for them, newest first, in pages. */
const SPREAD_SCAN = 1000
const SPREAD_PAGE = 100

/**
 * Per cell key, the median wall times (ms, > 0) of the latest SPREAD_WINDOW finished jobs with the
 * baseline's spec, host and workload version (among the newest SPREAD_SCAN of its spec and host), the
 * current job left out: repeated measurements of the baseline's state, whose spread is what whole
 * jobs vary by. Empty when the two jobs differ in spec or host (another population) or when a job is
 * compared with itself. A median of 0 (or none) has no logarithm: that job is not counted for the cell.
 */
async function earlierMedians (store: Store, job: JobRecord, base: JobRecord): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>()
  if (job.id === base.id || base.hostId === null || job.specHash !== base.specHash || job.hostId !== base.hostId) return out
  const version = base.versions?.workload.version ?? null
  // Newer jobs of another workload version (the change under test) can outnumber the window: page past them.
  const found: JobRecord[] = []
  let before: string | undefined
  for (let scanned = 0; found.length < SPREAD_WINDOW && scanned < SPREAD_SCAN; scanned += SPREAD_PAGE) {
    const page = await store.listJobs({ specHash: base.specHash, host: base.hostId, status: 'finished', before, limit: SPREAD_PAGE })
    found.push(...page.filter(j => j.id !== job.id && (j.versions?.workload.version ?? null) === version))
    if (page.length < SPREAD_PAGE) break
    before = page.at(-1)?.id
  }
  for (const j of found.slice(0, SPREAD_WINDOW)) {
    for (const c of (j.summary as JobSummary | null)?.cells ?? []) {
      if (c.medianWallMs !== null && c.medianWallMs > 0) out.set(c.key, [...(out.get(c.key) ?? []), c.medianWallMs])
    }
  }
  return out
}

/** Comparisons with a verdict, baselines per spec, and one metric over time (DESIGN.md §7). */
const history: FastifyPluginAsyncTypebox = async (app) => {
  // Finished jobs never change: the same points give the same change points, so they are computed once.
  const changeCache = new LRUCache<string, History['changePoints']>({ max: 1000 })

  app.get('/api/jobs/:id/compare/:baselineId', {
    schema: {
      tags: ['history'],
      summary: 'Cell-by-cell comparison with a baseline job (or `baseline`: the current baseline of the job\'s spec)',
      params: Type.Object({ id: Type.String({ pattern: JOB_ID }), baselineId: Type.Union([Type.Literal('baseline'), Type.String({ pattern: JOB_ID })]) }),
      querystring: Type.Object({
        minChange: Type.Number({ minimum: 0, maximum: 100, default: 5, description: 'Smallest change in percent that counts as faster or slower' }),
        alpha: Type.Number({ exclusiveMinimum: 0, maximum: 0.5, default: 0.05, description: 'Significance level' })
      }, { additionalProperties: false }),
      response: { 200: JobComparisonSchema, 400: Type.Ref('Error'), 404: Type.Ref('Error') }
    }
  }, async (req) => {
    const job = await app.store.getJob(req.params.id)
    if (job === undefined) throw new NotFoundError('job', req.params.id)
    let baseId = req.params.baselineId
    if (baseId === 'baseline') {
      const b = await app.store.getBaseline(job.specHash)
      if (b === undefined) throw new NotFoundError('baseline for spec', job.specHash)
      baseId = b.jobId
    }
    const base = await app.store.getJob(baseId)
    if (base === undefined) throw new NotFoundError('job', baseId)
    const [jobRuns, baseRuns, earlier] = await Promise.all([app.store.listRuns(job.id), app.store.listRuns(base.id), earlierMedians(app.store, job, base)])
    return compareJobs(job, jobRuns, base, baseRuns, { minChange: req.query.minChange, alpha: req.query.alpha, minRepetitions: 3 }, earlier)
  })

  app.put('/api/baselines/:specHash', {
    schema: {
      tags: ['history'],
      summary: 'Make a finished job the baseline of its spec',
      params: Type.Object({ specHash: Type.String({ pattern: SPEC_HASH }) }),
      body: Type.Object({ jobId: Type.String({ pattern: JOB_ID }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ specHash: Type.String(), jobId: Type.String(), createdAt: Type.String({ format: 'date-time' }) }), 404: Type.Ref('Error'), 409: Type.Ref('Error') }
    }
  }, async (req) => {
    const job = await app.store.getJob(req.body.jobId)
    if (job === undefined) throw new NotFoundError('job', req.body.jobId)
    if (job.specHash !== req.params.specHash) throw new ConflictError(`job ${job.id} has spec ${job.specHash}, not ${req.params.specHash}`)
    if (job.status !== 'finished') throw new ConflictError(`job ${job.id} is ${job.status}; only a finished job can be a baseline`)
    const b = await app.store.setBaseline(job.specHash, job.id)
    return { ...b, createdAt: b.createdAt.toISOString() }
  })

  app.get('/api/baselines', {
    schema: { tags: ['history'], summary: 'The current baseline of every spec that has one', response: { 200: Type.Array(Type.Object({ specHash: Type.String(), jobId: Type.String(), createdAt: Type.String({ format: 'date-time' }) })) } }
  }, async () => (await app.store.listBaselines()).map(b => ({ ...b, createdAt: b.createdAt.toISOString() })))

  app.get('/api/history', {
    schema: {
      tags: ['history'],
      summary: 'One metric of one cell over time for comparable jobs (same specHash), oldest first, baseline marked',
      querystring: Type.Object({
        specHash: Type.String({ pattern: SPEC_HASH }),
        runtime: Type.Union(RUNTIME_IDS.map(r => Type.Literal(r)), { default: 'node' }),
        executor: ExecutorKindSchema,
        workers: Type.Integer({ minimum: 1, default: 1 }),
        metric: Type.Union(METRICS.map(m => Type.Literal(m)), { default: 'medianWallMs' }),
        host: Type.Optional(Type.String({ maxLength: 64 })),
        runner: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Only jobs run by the runner of this RUNNER_NAME (GET /api/runners)' })),
        tag: Type.Optional(TagFilterSchema),
        limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 })
      }, { additionalProperties: false }),
      response: {
        200: HistorySchema,
        400: Type.Ref('Error')
      }
    }
  }, async (req) => {
    const q = req.query
    const at = q.tag?.indexOf(':') ?? -1
    const tag = q.tag === undefined ? undefined : { key: q.tag.slice(0, at), value: q.tag.slice(at + 1) }
    const [jobs, baseline] = await Promise.all([
      app.store.listJobs({ specHash: q.specHash, host: q.host, runner: q.runner, tag, status: 'finished', limit: q.limit }),
      app.store.getBaseline(q.specHash)
    ])
    const key = cellKey({ runtime: q.runtime, executor: q.executor, workers: q.executor === 'serialized' || q.executor === 'async' ? 1 : q.workers })
    const points = jobs.reverse().map(job => {
      // Finished jobs carry the summary computed when they ended: history needs no run queries.
      const cell = (job.summary as JobSummary | null)?.cells.find(c => c.key === key)
      const value = cell === undefined ? null : cell[q.metric as keyof CellSummary] as number | null
      const ci95 = cell === undefined ? null : q.metric === 'medianWallMs' ? cell.medianWallCi95 : q.metric === 'speedup' ? cell.speedupCi95 : null
      return { jobId: job.id, createdAt: job.createdAt.toISOString(), hostId: job.hostId, tags: job.tags, value, ci95, runs: cell?.runs ?? 0, isBaseline: baseline?.jobId === job.id, version: job.versions?.workload.version ?? null }
    })
    const cacheKey = `${q.metric}|${key}|${points.map(p => `${p.jobId}=${p.value}@${p.version}`).join(',')}`
    let changes = changeCache.get(cacheKey)
    if (changes === undefined) changeCache.set(cacheKey, changes = historyChanges(points, q.metric))
    return { specHash: q.specHash, cell: key, metric: q.metric, baselineJobId: baseline?.jobId ?? null, points, changePoints: changes }
  })
}

export default history
