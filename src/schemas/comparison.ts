import { Type, type Static } from '@sinclair/typebox'
import { Nullable } from './common.js'
import { JobStatusSchema } from './job-view.js'

// GET /api/jobs/:id/compare/:baselineId (src/stats/compare-jobs.ts). The verdict rules live in
// src/stats/compare.ts; compare-jobs.ts is type-checked against these shapes.

export const VERDICTS = ['faster', 'slower', 'same', 'inconclusive'] as const
const VerdictSchema = Type.Union(VERDICTS.map(v => Type.Literal(v)))

const SideSchema = Type.Object({
  id: Type.String(),
  specHash: Type.String(),
  hostId: Nullable(Type.String()),
  runner: Nullable(Type.String({ description: 'RUNNER_NAME of the runner that ran it' })),
  createdAt: Type.String({ format: 'date-time' }),
  status: JobStatusSchema,
  workloadVersion: Nullable(Type.String({ description: 'The workload version the job ran (null before versions were recorded)' }))
})

export const CellComparisonSchema = Type.Object({
  key: Type.String({ description: 'runtime/executor/workers, e.g. threaded/2' }),
  runtime: Type.String(),
  executor: Type.String(),
  workers: Type.Integer(),
  currentMedian: Nullable(Type.Number({ description: 'Median wall time of the job, ms' })),
  baselineMedian: Nullable(Type.Number({ description: 'Median wall time of the baseline, ms' })),
  changePct: Nullable(Type.Number({ description: '(current − baseline) / baseline × 100; positive = slower' })),
  changeCi95: Nullable(Type.Tuple([Type.Number(), Type.Number()], { description: '95 % CI of changePct: bootstrap over the runs, widened to the job-to-job spread when that is known (ciBasis)' })),
  ciBasis: Nullable(Type.Union([Type.Literal('runs'), Type.Literal('jobs')], { description: 'runs: the interval comes from the two jobs\' runs; jobs: from the spread of earlier jobs of this spec on this host, which was wider' })),
  jobSpreadPct: Nullable(Type.Number({ description: 'How far one job\'s median of this cell typically lies from its usual level, percent: (exp(SD of ln median) − 1) × 100 over earlier jobs of the baseline\'s spec, host and workload version; two jobs differ by about √2 times that. Null below 3 such jobs' })),
  spreadJobs: Type.Integer({ description: 'How many earlier finished jobs of the baseline\'s spec, host and workload version were found with a median above 0 in this cell (the latest 20 of that version, the current job left out): from 3, jobSpreadPct is estimated from them' }),
  pWelch: Nullable(Type.Number()),
  pMannWhitney: Nullable(Type.Number()),
  decidingTest: Nullable(Type.Union([Type.Literal('mann-whitney'), Type.Literal('welch')])),
  verdict: VerdictSchema,
  reason: Type.String(),
  disturbedSamples: Type.Object({ current: Type.Integer(), baseline: Type.Integer() }, { description: 'How many of the compared samples on each side were disturbed runs (counted because every try of their fork was disturbed)' })
})

export const JobComparisonSchema = Type.Object({
  job: SideSchema,
  baseline: SideSchema,
  sameSpec: Type.Boolean(),
  sameHost: Type.Boolean(),
  notes: Type.Array(Type.String(), { description: 'Plain-language caveats: different hosts or specs, cells only one side has' }),
  thresholds: Type.Object({ minChange: Type.Number({ description: 'Percent, as given: 5 = 5 %' }), alpha: Type.Number(), minRepetitions: Type.Integer() }),
  canaryChangePct: Nullable(Type.Number({ description: 'How much longer the canary (a fixed CPU kernel timed on the task threads around every run) took in this job than in the baseline, percent: the median over shared cells of the ratio of their median readings; positive = the machine ran slower. Null when either job has no canary or the two were timed with different canary kernels (JobVersions.canary)' })),
  cells: Type.Array(CellComparisonSchema),
  verdict: Type.Union([VerdictSchema, Type.Literal('mixed')], { description: 'Over all cells; inconclusive when nothing could be compared' }),
  comparable: Type.Boolean({ description: 'Both jobs are finished and at least one cell has recorded runs on both sides. When false, the cells prove nothing and a gate must fail' }),
  reason: Nullable(Type.String({ description: 'Why the jobs are not comparable (e.g. "job j_… is failed"); null when they are' })),
  counts: Type.Object({
    faster: Type.Integer(),
    slower: Type.Integer(),
    same: Type.Integer(),
    inconclusive: Type.Integer()
  }, { description: 'How many cells got each verdict' }),
  decided: Type.Boolean({ description: 'Comparable, and every cell got faster, slower or same: no cell is inconclusive' })
}, { $id: 'JobComparison' })

export type CellComparison = Static<typeof CellComparisonSchema>
export type JobComparison = Static<typeof JobComparisonSchema>
