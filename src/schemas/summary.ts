import { Type, type Static } from '@sinclair/typebox'
import { Nullable } from './common.js'

// A job's per-cell statistics (src/stats/summary.ts computes them, src/stats/sweep.ts the scaling).
// A finished job's summary is stored as it was computed: fields marked "absent in summaries stored
// before …" are missing from jobs that finished before the field existed.

const Interval = Type.Tuple([Type.Number(), Type.Number()], { description: '95 % interval [low, high]' })
const LatencySchema = Type.Object({ p50: Type.Number(), p95: Type.Number(), p99: Type.Number() })
const absentBefore = (what: string): string => `Absent in summaries stored before ${what} existed`

const DisturbedCountsSchema = {
  disturbed: Type.Integer({ description: 'Recorded runs flagged disturbed (README "Disturbed runs"), counted or not' }),
  redos: Type.Integer({ description: 'Redos run (tries after the first), whatever their outcome' }),
  counted: Type.Integer({ description: 'Disturbed runs still in the statistics: forks disturbed on every try, whose last try counts' })
}

export const CellSummarySchema = Type.Object({
  key: Type.String({ description: 'runtime/executor/workers, e.g. threaded/2 (Node) or python/threaded/2' }),
  runtime: Type.String(),
  executor: Type.String(),
  workers: Type.Integer(),
  runs: Type.Integer({ description: 'Recorded runs that succeeded' }),
  failedRuns: Type.Integer(),
  medianWallMs: Nullable(Type.Number()),
  meanWallMs: Nullable(Type.Number()),
  stdevWallMs: Nullable(Type.Number()),
  minWallMs: Nullable(Type.Number()),
  maxWallMs: Nullable(Type.Number()),
  cv: Nullable(Type.Number({ description: 'stdev / mean of the wall times' })),
  medianWallCi95: Nullable(Interval),
  ciMethod: Nullable(Type.String()),
  outlierRunIds: Type.Array(Type.String(), { description: 'Runs whose wall time is an outlier by outlierRule; flagged, never dropped' }),
  outlierRule: Nullable(Type.String()),
  speedup: Nullable(Type.Number({ description: 'median wall(serialized, same runtime) / median wall(this cell)' })),
  speedupCi95: Nullable(Type.Tuple([Type.Number(), Type.Number()], { description: 'Percentile bootstrap over the repetitions' })),
  efficiency: Nullable(Type.Number({ description: 'speedup / workers' })),
  busyCores: Nullable(Type.Number({ description: 'Median of the runs\' average busy cores (taskCpuMs / wallMs where measured)' })),
  busyShare: Type.Optional(Nullable(Type.Number({ description: `busyCores / the host's usable cores. ${absentBefore('it')}` }))),
  taskSlowdown: Type.Optional(Nullable(Type.Number({ description: `Median task time here / in the serialized cell of the same runtime; null without task timings. ${absentBefore('it')}` }))),
  taskCpuMs: Type.Optional(Nullable(Type.Number({ description: `Median of the runs' taskCpuMs (ms). ${absentBefore('it')}` }))),
  coordinatorCpuMs: Type.Optional(Nullable(Type.Number({ description: `Median of the runs' coordinatorCpuMs (ms). ${absentBefore('it')}` }))),
  startupMs: Nullable(Type.Number()),
  medianColdWallMs: Nullable(Type.Number()),
  throughput: Nullable(Type.Number({ description: 'Tasks per second at the median wall time' })),
  verified: Nullable(Type.Boolean({ description: 'Every run\'s checksum matched the serialized one; null without a serialized reference' })),
  shared: Nullable(Type.Object({ expected: Type.Number(), medianArrived: Type.Number(), medianLost: Type.Number(), memorySpaces: Type.Integer() })),
  latency: Nullable(Type.Object({ runMs: LatencySchema, totalMs: LatencySchema }, { description: 'Per task over every recorded run: time inside the worker, and dispatch → result received' })),
  disturbance: Type.Optional(Type.Object(DisturbedCountsSchema, { description: `Runs of this cell flagged disturbed, redos, and disturbed runs still counted. ${absentBefore('it')}` }))
}, { $id: 'CellSummary' })

/** The Universal Scalability Law fit of src/stats/scaling.ts (Gunther 2007), or why there is none. */
export const UslFitSchema = Type.Union([
  Type.Object({ ok: Type.Literal(true), sigma: Type.Number(), kappa: Type.Number(), lambda: Type.Number(), peakWorkers: Nullable(Type.Number()), peakThroughput: Nullable(Type.Number()), r2: Type.Number() }),
  Type.Object({ ok: Type.Literal(false), reason: Type.String() })
])

export const ScalingSummarySchema = Type.Object({
  runtime: Type.String(),
  executor: Type.String(),
  points: Type.Array(Type.Object({ workers: Type.Integer(), speedup: Nullable(Type.Number()), efficiency: Nullable(Type.Number()), throughput: Nullable(Type.Number()), karpFlatt: Nullable(Type.Number()) })),
  cores: Type.Optional(Type.Integer({ description: `The host's usable cores when the job was summarized. ${absentBefore('it')}` })),
  limit: Type.Optional(Type.Integer({ description: `The largest worker count the figures speak for: the cores for CPU-bound work, else the largest measured. ${absentBefore('it')}` })),
  amdahl: Nullable(Type.Object({
    serialFraction: Type.Number(),
    serialFractionCi95: Type.Optional(Nullable(Interval)),
    ceiling: Type.Number({ description: 'The fitted speedup at `limit` workers (older summaries: 1/f)' }),
    r2: Type.Number()
  })),
  usl: UslFitSchema,
  notEnoughData: Type.Optional(Nullable(Type.String({ description: 'Why there is no model, in plain words' }))),
  recommendedWorkers: Nullable(Type.Integer({ description: 'The smallest worker count within 5 % of the best throughput, never above the cores for CPU-bound work' }))
}, { $id: 'ScalingSummary' })

export const JobSummarySchema = Type.Object({
  cores: Type.Optional(Type.Integer({ description: `Usable cores of the host that summarized. ${absentBefore('it')}` })),
  cpuBound: Type.Optional(Nullable(Type.Boolean({ description: 'The work needs a core to progress (the workload\'s kind, else a busy serialized cell); null when neither tells' }))),
  answer: Type.Optional(Nullable(Type.String({ description: 'The result in one or two plain sentences; null before there is a serialized reference' }))),
  impossible: Type.Optional(Type.Array(Type.String(), { description: 'Results that cannot be true (the instrument, the machine or the spec is wrong); also in warnings' })),
  cells: Type.Array(Type.Ref(CellSummarySchema)),
  scaling: Type.Array(Type.Ref(ScalingSummarySchema)),
  bestSpeedup: Nullable(Type.Object({ key: Type.String(), speedup: Type.Number() })),
  disturbance: Type.Optional(Type.Object({
    ...DisturbedCountsSchema,
    maxForeignCpu: Nullable(Type.Number({ description: 'Largest CPU (cores) used outside the runner\'s process tree during a run' })),
    maxRunCanaryDrift: Nullable(Type.Number({ description: 'Largest canary drift over one run (after / before − 1)' })),
    canaryDrift: Nullable(Type.Number({ description: 'Canary drift over the job, within the first cell measured: its last run\'s after-canary / its first run\'s before-canary − 1' }))
  }, { description: `Disturbance over the job's recorded runs; figures null where no run measured them. ${absentBefore('it')}` })),
  warnings: Type.Array(Type.String(), { description: 'Reasons to distrust some figures (high variation, a slow first run)' })
}, { $id: 'JobSummary' })

export type Latency = Static<typeof LatencySchema>
export type CellSummary = Static<typeof CellSummarySchema>
export type UslFit = Static<typeof UslFitSchema>
export type ScalingSummary = Static<typeof ScalingSummarySchema>
export type JobSummary = Static<typeof JobSummarySchema>
