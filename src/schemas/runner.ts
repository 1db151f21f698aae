import { Type, type Static } from '@sinclair/typebox'
import { Nullable } from './common.js'

/** GET /api/runners: one row per machine a runner has held, with where it stands now. */
export const RunnerSchema = Type.Object({
  name: Type.String({ description: 'RUNNER_NAME (default: the hostname)' }),
  machineId: Type.String({ description: 'The machine identity it holds (one runner, one job at a time per machine)' }),
  runnerId: Type.String({ description: 'This start of the runner process (r_…)' }),
  state: Type.Union([Type.Literal('idle'), Type.Literal('running'), Type.Literal('offline')], {
    description: 'offline: stopped cleanly, or its heartbeat is older than RUNNER_LEASE_MS'
  }),
  jobId: Nullable(Type.String({ description: 'The job it runs (state running)' })),
  offlineSince: Nullable(Type.String({ format: 'date-time', description: 'When it stopped, or its last heartbeat (state offline)' })),
  lastSeenAt: Type.String({ format: 'date-time', description: 'Its last heartbeat' }),
  startedAt: Type.String({ format: 'date-time' }),
  labels: Type.Array(Type.String(), { description: 'RUNNER_LABELS' }),
  runtimes: Type.Array(Type.String(), { description: 'Runtimes it can run' }),
  host: Nullable(Type.Object({
    id: Type.String(),
    hostname: Type.String(),
    cpuModel: Type.String(),
    arch: Type.String(),
    usableCores: Type.Integer(),
    logicalCores: Type.Integer(),
    physicalCores: Nullable(Type.Integer())
  }, { description: 'The fingerprint of the host it runs on' }))
}, { $id: 'Runner' })

export type Runner = Static<typeof RunnerSchema>
