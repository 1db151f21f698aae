import { Type, type Static } from '@sinclair/typebox'
import { Nullable } from './common.js'

/**
 * Change points are looked for in the newest this many values: E-Divisive costs O(n²) per
 * permutation on the API's thread (~100 ms at 200 values here), and a CI question is about recent jobs.
 */
export const CHANGE_WINDOW = 200

/** GET /api/history: one metric of one cell over time for comparable jobs, oldest first. */
export const HistorySchema = Type.Object({
  specHash: Type.String(),
  cell: Type.String(),
  metric: Type.String(),
  baselineJobId: Nullable(Type.String()),
  points: Type.Array(Type.Object({
    jobId: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    hostId: Nullable(Type.String()),
    tags: Type.Record(Type.String(), Type.String()),
    value: Nullable(Type.Number()),
    ci95: Nullable(Type.Array(Type.Number())),
    runs: Type.Integer(),
    isBaseline: Type.Boolean(),
    version: Nullable(Type.String({ description: 'The workload version the job ran (null for jobs from before versions were recorded)' }))
  })),
  changePoints: Type.Array(Type.Object({
    index: Type.Integer({ description: 'Index in points of the first job after the change' }),
    jobId: Type.String({ description: 'The first job after the change' }),
    createdAt: Type.String({ format: 'date-time' }),
    beforeMedian: Type.Number({ description: 'Median of the metric from the previous change point up to this one' }),
    afterMedian: Type.Number({ description: 'Median from this change point up to the next' }),
    magnitude: Nullable(Type.Number({ description: 'afterMedian / beforeMedian − 1 (0.2 = 20 % higher)' })),
    probability: Type.Number({ description: 'Permutation-test p-value of the split (lower is surer; kept at ≤ 0.01)' }),
    worse: Type.Boolean({ description: 'The metric moved the wrong way: a longer time or spread, a lower speedup, efficiency, busy cores or throughput' }),
    version: Nullable(Type.String({ description: 'The workload version of the first job after the change' })),
    previousVersion: Nullable(Type.String({ description: 'The workload version of the job right before it; differs from version when the change began with a new version' }))
  }), { description: `E-Divisive means (Daly et al., ICPE 2020) over the non-null values of the newest ${CHANGE_WINDOW} points, oldest first` })
})

export type History = Static<typeof HistorySchema>
