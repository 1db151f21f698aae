import { Type, type Static } from '@sinclair/typebox'
import { JOB_STATUSES } from './vocabulary.js'
import { Nullable } from './common.js'
import { JobSpecSchema } from './job.js'
import { JobSummarySchema } from './summary.js'
import { JobVersionsSchema } from './workload.js'

export const JobStatusSchema = Type.Union(JOB_STATUSES.map(s => Type.Literal(s)))

/** Why a run failed: a stable code and the words for people. */
export const RunErrorSchema = Type.Object({
  code: Type.String({ description: 'Stable COREBENCH_ERR_* code, e.g. COREBENCH_ERR_TASK_TIMEOUT' }),
  message: Type.String()
}, { $id: 'RunError' })

export type RunError = Static<typeof RunErrorSchema>

export const RunSchema = Type.Object({
  id: Type.String(),
  runtime: Type.String({ description: 'node, python or python-nogil' }),
  executor: Type.String(),
  workers: Type.Integer(),
  fork: Type.Integer({ minimum: 0, description: '0-based fork (fresh pool) of the cell: each fork warms up, then records one run' }),
  warmup: Type.Boolean({ description: 'A failed warm-up run of its fork (warm-ups are stored only when they fail); not a measurement' }),
  attempt: Type.Integer({ minimum: 1, description: 'The job\'s attempt: a job re-queued after losing its runner starts again; only the current attempt\'s runs are shown and summarized' }),
  position: Nullable(Type.Integer({ description: '0-based position of this run in its round (the recorded runs of one fork index by start time); CELL_ORDER=rotate moves every cell through every position' })),
  ok: Type.Boolean(),
  error: Nullable(Type.Ref(RunErrorSchema)),
  tasks: Type.Integer(),
  wallMs: Type.Number(),
  startupMs: Type.Number({ description: 'Pool creation and warm-up, outside wallMs' }),
  coldWallMs: Type.Number({ description: 'startupMs + wallMs' }),
  cpuUserMs: Type.Number({ description: 'User CPU (ms) of everything the run cost the machine: the whole runner process (every thread, V8 and libuv helpers included) plus each child process whole' }),
  cpuSystemMs: Type.Number({ description: 'System CPU (ms), counted as cpuUserMs' }),
  taskCpuMs: Nullable(Type.Number({ description: 'CPU (ms) of the threads that ran tasks over the run: each worker thread, or each child process\'s main thread (Linux /proc schedstat); no coordinator, GC or other helper threads. Null off Linux, for Python runs, failed runs and runs stored before it existed' })),
  coordinatorCpuMs: Nullable(Type.Number({ description: 'CPU (ms) of the coordinator thread (dispatch and result handling) over the run; null as taskCpuMs' })),
  busyCores: Type.Number({ description: 'Average busy cores of the workload: taskCpuMs / wallMs; where taskCpuMs is null, (cpuUserMs + cpuSystemMs) / wallMs' }),
  peakRssBytes: Type.Number(),
  loopDelayP50Ms: Type.Number({ description: 'Event-loop delay of the coordinator thread (the runner\'s main thread) during the run' }),
  loopDelayP99Ms: Type.Number(),
  loopDelayMaxMs: Type.Number(),
  bytesToWorkers: Type.Number(),
  bytesFromWorkers: Type.Number(),
  serialization: Nullable(Type.String()),
  checksum: Nullable(Type.String()),
  verified: Nullable(Type.Boolean({ description: 'Checksum equals the serialized run\'s' })),
  shared: Nullable(Type.Object({ expected: Type.Number(), arrived: Type.Number(), lost: Type.Number(), memorySpaces: Type.Integer() })),
  foreignCpu: Nullable(Type.Number({ description: 'CPU used during the run by processes outside the runner\'s process tree (an API on the same host included), in cores: /proc/stat busy time minus the tree\'s own. Null where not measured (failed and Python runs, no /proc, older runs)' })),
  steal: Nullable(Type.Number({ description: 'Share of the machine\'s CPU time stolen by the hypervisor during the run (/proc/stat steal); null as foreignCpu' })),
  involuntarySwitches: Nullable(Type.Integer({ description: 'Involuntary context switches of the runner process and every thread of its children during the run' })),
  canaryBeforeMs: Nullable(Type.Number({ description: 'The canary (a fixed chain of calls, the fastest of 5 passes of ~0.2 ms, timed on each thread that runs tasks) right before the run: the slowest thread\'s reading, ms. Null for Python' })),
  canaryAfterMs: Nullable(Type.Number({ description: 'The canary right after the run: the slowest thread\'s reading, ms' })),
  canaryDrift: Nullable(Type.Number({ description: 'canaryAfterMs / canaryBeforeMs − 1: positive when the host got slower over the run' })),
  disturbed: Type.Boolean({ description: 'Past a DISTURBED_* threshold: listed, but a redo of its fork replaces it in the statistics (unless every try was disturbed)' }),
  disturbedBy: Nullable(Type.String({ description: 'Which thresholds the run passed' })),
  redo: Type.Integer({ minimum: 0, description: '0 for the fork\'s first try, n for its n-th redo after disturbed tries' }),
  startedAt: Type.String({ format: 'date-time' }),
  finishedAt: Type.String({ format: 'date-time' })
}, { $id: 'Run' })

export const ProgressSchema = Type.Object({
  tasksDone: Type.Integer(),
  tasksTotal: Type.Integer(),
  current: Nullable(Type.Object({
    runtime: Type.String(),
    executor: Type.String(),
    workers: Type.Integer(),
    fork: Type.Integer({ description: '0-based fork (fresh pool) of the cell; each fork warms up, then records one repetition' }),
    warmup: Type.Boolean(),
    runDone: Type.Integer(),
    runTotal: Type.Integer()
  })),
  cells: Type.Array(Type.Object({
    runtime: Type.String(),
    executor: Type.String(),
    workers: Type.Integer(),
    done: Type.Integer({ description: 'Tasks done in this cell over all its forks, warm-ups included' }),
    total: Type.Integer()
  }), { description: 'Per cell, as the runner reported it while the job runs (empty otherwise)' })
})

const JobFields = {
  id: Type.String(),
  name: Type.String(),
  status: JobStatusSchema,
  workload: Type.String(),
  runtimes: Type.Array(Type.String()),
  specHash: Type.String({ description: 'Jobs with the same hash measured the same thing and can be compared' }),
  tags: Type.Record(Type.String(), Type.String()),
  warnings: Type.Array(Type.String()),
  error: Nullable(Type.String()),
  progress: ProgressSchema,
  createdAt: Type.String({ format: 'date-time' }),
  startedAt: Nullable(Type.String({ format: 'date-time' })),
  finishedAt: Nullable(Type.String({ format: 'date-time' })),
  hostId: Nullable(Type.String()),
  runner: Nullable(Type.String({ description: 'RUNNER_NAME of the runner that runs or ran it (GET /api/runners)' })),
  tokenId: Nullable(Type.String({ description: 'The API token that submitted the job' })),
  versions: Nullable(Type.Ref(JobVersionsSchema, { description: 'What it ran with (workload version and source, Node, Python, corebench), recorded by the runner when it started; null before' })),
  links: Type.Record(Type.String(), Type.String())
}

export const JobListItemSchema = Type.Object({
  ...JobFields,
  bestSpeedup: Nullable(Type.Object({ key: Type.String(), speedup: Type.Number() }))
}, { $id: 'JobListItem' })

export const JobViewSchema = Type.Object({
  ...JobFields,
  answer: Nullable(Type.String({ description: 'The result in plain words: busy cores of the usable ones and speedup per executor, and why they differ; null until a serialized cell has been measured' })),
  spec: Type.Ref(JobSpecSchema),
  runs: Type.Array(Type.Ref(RunSchema)),
  summary: Type.Ref(JobSummarySchema, { description: 'Per-cell statistics (see the report endpoint for a flat table)' })
}, { $id: 'JobView' })

export type JobView = Static<typeof JobViewSchema>
export type JobListItem = Static<typeof JobListItemSchema>
export type Run = Static<typeof RunSchema>
