import { Type, type Static } from '@sinclair/typebox'
import { Nullable } from './common.js'
import { WorkloadSchema } from './catalog.js'

// Workloads as a runner publishes them (issue 17): the built-in catalog plus the workload packages
// named by WORKLOADS (src/workloads/packages/), each with where it came from and which version of
// its code it is. The API's catalog, spec validation and routing read these; none imports code.

const { id, kind, description, defaults, sharedMemory } = WorkloadSchema.properties

export const WorkloadRuntimeIdSchema = Type.Union([Type.Literal('node'), Type.Literal('python')])

export const WorkloadDescriptionSchema = Type.Object({
  id,
  kind,
  description,
  params: Type.Record(Type.String(), Type.Unknown(), { description: 'JSON Schema of the params object: each property a number or integer with minimum, maximum and default, a boolean with default, or a string enum with default' }),
  defaults,
  sharedMemory,
  version: Type.String({ description: "Built-in: corebench's version. A package: its package.json version + '+' + the first 12 hex digits of a sha256 over its module file and Python twin, e.g. 1.2.0+3f9a0c1b2d4e" }),
  source: Type.String({ description: "'builtin', or the WORKLOADS entry (directory or npm package name) it was loaded from" }),
  deterministic: Type.Boolean({ description: 'false: its checksums are not compared between executors (verified is null)' }),
  runtimes: Type.Array(WorkloadRuntimeIdSchema, { description: 'Runtimes with code for it: node always, python with a twin module' })
}, { $id: 'WorkloadDescription' })

/** A workload module that a runner with WORKLOADS_STRICT=false skipped, and why. */
export const UnavailableWorkloadSchema = Type.Object({
  source: Type.String({ description: 'The WORKLOADS entry' }),
  file: Type.String({ description: 'The module file (absolute path on the runner), or the package directory' }),
  id: Nullable(Type.String({ description: 'Its id, when the module got far enough to say' })),
  reason: Type.String({ description: 'The one-line problem, as a strict runner would have failed with it' })
})

/** What a runner registers with its machine claim (the `workloads` column): what it can run, and what it could not load. */
export const RunnerWorkloadsSchema = Type.Object({
  loaded: Type.Array(WorkloadDescriptionSchema),
  unavailable: Type.Array(UnavailableWorkloadSchema)
})

/** What a job ran with, recorded by the runner when it starts the job (the job's `versions` column). */
export const JobVersionsSchema = Type.Object({
  workload: Type.Object({ id: Type.String(), version: Type.String(), source: Type.String() }),
  node: Type.String({ description: 'process.versions.node of the runner' }),
  python: Nullable(Type.String({ description: "The Python interpreter's version when a cell ran on a python runtime, else null" })),
  corebench: Type.String(),
  canary: Type.Optional(Type.String({ description: 'The canary kernel its runs were timed with (src/executors/canary.ts); absent on jobs from before it was recorded, which had the first kernel. Canary readings of different kernels are never compared' }))
}, { $id: 'JobVersions' })

export type WorkloadRuntimeId = Static<typeof WorkloadRuntimeIdSchema>
export type WorkloadDescription = Static<typeof WorkloadDescriptionSchema>
export type UnavailableWorkload = Static<typeof UnavailableWorkloadSchema>
export type RunnerWorkloads = Static<typeof RunnerWorkloadsSchema>
export type JobVersions = Static<typeof JobVersionsSchema>

/** A claim that registered no workloads: what the column holds for a claim stored before it existed. */
export const NO_RUNNER_WORKLOADS: RunnerWorkloads = { loaded: [], unavailable: [] }
