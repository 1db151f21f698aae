import { Type, type Static } from '@sinclair/typebox'
import { Nullable } from './common.js'

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
    isBaseline: Type.Boolean()
  }))
})

export type History = Static<typeof HistorySchema>
