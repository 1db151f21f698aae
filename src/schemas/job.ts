import { Type, type Static } from '@sinclair/typebox'
import { EXECUTOR_KINDS, RUNTIME_IDS } from './vocabulary.js'
import { PLAIN_TEXT_MESSAGE, PLAIN_TEXT_PATTERN, UNSAFE_CHARS } from './text.js'

// Absolute shape limits; the configurable caps (MAX_TASKS, workers per core, …) are checked when the
// spec is resolved, so that their messages can name the configured limit.

export const ExecutorKindSchema = Type.Union(EXECUTOR_KINDS.map(k => Type.Literal(k)))
export const RuntimeIdSchema = Type.Union(RUNTIME_IDS.map(k => Type.Literal(k)))
const TAG_KEY = '[A-Za-z0-9_./-]{1,64}'
/** Names and tag values reach reports and terminals: plain one-line text (src/schemas/text.ts). */
const plainText = (minLength: number, maxLength: number, description?: string) =>
  Type.String({ minLength, maxLength, pattern: PLAIN_TEXT_PATTERN, 'x-error': PLAIN_TEXT_MESSAGE, ...(description === undefined ? {} : { description }) })

/** `?tag=key:value` of GET /api/jobs and /api/history: an exact, case-sensitive match of both. */
export const TagFilterSchema = Type.String({ pattern: `^${TAG_KEY}:[^${UNSAFE_CHARS}]{0,200}$`, description: 'key:value, matched exactly (case-sensitive, no wildcards)' })

/** Where a job must run, in team mode (src/jobs/routing.ts): one runner by name, or requirements. */
export const RunOnSchema = Type.Object({
  runner: Type.Optional(plainText(1, 128, 'RUNNER_NAME of the one runner that may run it (GET /api/runners)')),
  minCores: Type.Optional(Type.Integer({ minimum: 1, maximum: 4096, description: 'Only runners with at least this many usable cores' })),
  arch: Type.Optional(Type.String({ pattern: '^[a-z0-9_]{1,32}$', description: 'Only runners of this CPU architecture, as Node names it (x64, arm64, …)' })),
  labels: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,32}$' }), { minItems: 1, maxItems: 16, uniqueItems: true, description: 'Only runners that have every one of these RUNNER_LABELS' }))
}, { additionalProperties: false, minProperties: 1, description: 'Team mode: resolved at submit against the registered runners (400 when none can ever match); without it any runner may take the job' })

export type RunOn = Static<typeof RunOnSchema>

export const JobSubmitSchema = Type.Object({
  preset: Type.Optional(plainText(1, 64, 'Start from a ready-made spec (GET /api/presets); other fields override it')),
  name: Type.Optional(plainText(1, 200, 'One line of plain text')),
  workload: Type.Optional(Type.Object({
    id: plainText(1, 64, 'A workload id from GET /api/workloads'),
    params: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { maxProperties: 32, description: 'Validated against the workload\'s own schema' })),
    version: Type.Optional(plainText(1, 64, 'Pin a version (GET /api/workloads): refused unless a registered runner has it; a runner with another version refuses the job'))
  }, { additionalProperties: false })),
  tasks: Type.Optional(Type.Integer({ minimum: 1, description: 'Tasks per run (cap: MAX_TASKS)' })),
  runtimes: Type.Optional(Type.Array(RuntimeIdSchema, { minItems: 1, maxItems: 3, uniqueItems: true, description: 'Languages to run every executor in, side by side (default ["node"]; GET /api/host says which this host has)' })),
  executors: Type.Optional(Type.Array(ExecutorKindSchema, { minItems: 1, maxItems: 4, uniqueItems: true })),
  workers: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 32, uniqueItems: true, description: 'Worker counts to sweep for threaded and process (cap: MAX_WORKERS and MAX_WORKERS_PER_CORE × cores)' })),
  repetitions: Type.Optional(Type.Integer({ minimum: 1, description: 'Recorded runs per cell, each on a fresh pool (a fork) of its own (cap: MAX_REPETITIONS)' })),
  warmup: Type.Optional(Type.Integer({ minimum: 0, description: 'Unrecorded runs on each fresh pool before its recorded run (cap: MAX_WARMUP)' })),
  taskTimeoutMs: Type.Optional(Type.Integer({ minimum: 100, description: 'A task running longer is killed and fails its run (cap: MAX_TASK_TIMEOUT_MS)' })),
  tags: Type.Optional(Type.Record(Type.String({ pattern: `^${TAG_KEY}$` }), plainText(0, 200), { maxProperties: 32, additionalProperties: false, description: 'Free labels such as branch and commit; filter with ?tag=key:value' })),
  runOn: Type.Optional(RunOnSchema)
}, { additionalProperties: false, $id: 'JobSubmit' })

export type JobSubmit = Static<typeof JobSubmitSchema>

/** A spec with every default filled in: what is stored and what runs. */
export const JobSpecSchema = Type.Object({
  name: Type.String(),
  workload: Type.Object({ id: Type.String(), params: Type.Record(Type.String(), Type.Unknown()), version: Type.Optional(Type.String({ description: 'The pinned version, when the spec named one' })) }),
  tasks: Type.Integer(),
  runtimes: Type.Array(RuntimeIdSchema),
  executors: Type.Array(ExecutorKindSchema),
  workers: Type.Array(Type.Integer()),
  repetitions: Type.Integer(),
  warmup: Type.Integer(),
  taskTimeoutMs: Type.Integer(),
  tags: Type.Record(Type.String(), Type.String()),
  runOn: Type.Optional(RunOnSchema)
}, { $id: 'JobSpec' })

export type JobSpec = Static<typeof JobSpecSchema>

const caps = Type.Object({
  tasks: Type.Integer({ description: 'MAX_TASKS' }),
  workers: Type.Integer({ description: 'The largest worker count: the smaller of MAX_WORKERS and MAX_WORKERS_PER_CORE × cores' }),
  repetitions: Type.Integer({ description: 'MAX_REPETITIONS' }),
  warmup: Type.Integer({ description: 'MAX_WARMUP' }),
  taskTimeoutMs: Type.Integer({ description: 'MAX_TASK_TIMEOUT_MS' })
}, { description: 'The configured caps: a larger value is refused' })

/** GET /api/spec/defaults: what a spec gets for each field it leaves out on this server. */
export const SpecDefaultsSchema = Type.Object({
  runtimes: Type.Array(RuntimeIdSchema),
  executors: Type.Array(ExecutorKindSchema),
  workers: Type.Array(Type.Integer(), { description: 'Powers of two below the usable cores, plus the cores' }),
  tasks: Type.Integer({ description: 'For the default workers; a spec that names its workers gets max(16, 4 × its largest), capped at MAX_TASKS' }),
  repetitions: Type.Integer(),
  warmup: Type.Integer(),
  taskTimeoutMs: Type.Integer(),
  limits: caps
}, { $id: 'SpecDefaults' })

export type SpecDefaults = Static<typeof SpecDefaultsSchema>
