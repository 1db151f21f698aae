import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { JobListItemSchema, JobViewSchema, RunSchema } from './job-view.js'
import { FINAL_EVENTS, type JobEventType } from './vocabulary.js'

// The messages of WS /api/jobs/:id/stream and WS /api/stream (README "Streams"). OpenAPI has no
// words for WebSocket frames: these schemas are published as components (StreamMessage and the
// shapes it names) and the stream routes point at them.

/** The run an event is about: run.started carries it, progress extends it. */
export const RunRefSchema = Type.Object({
  jobId: Type.String(),
  runtime: Type.String({ description: 'node, python or python-nogil' }),
  executor: Type.String(),
  workers: Type.Integer(),
  fork: Type.Integer({ description: '0-based fork (fresh pool) of the cell; one recorded run per fork' }),
  warmup: Type.Boolean({ description: 'A warm-up run of the fork: measured, recorded only when it fails' }),
  tasks: Type.Integer(),
  attempt: Type.Integer({ minimum: 1, description: 'The job\'s attempt (a re-queued job starts again)' })
}, { $id: 'RunRef' })

/** Where a job stands, as the delta of one cell: clients never reconstruct the runner's order. */
export const RunProgressSchema = Type.Object({
  ...RunRefSchema.properties,
  runDone: Type.Integer({ description: 'Tasks done in this run' }),
  runTotal: Type.Integer(),
  cellDone: Type.Integer({ description: 'Tasks done in this cell over all its forks, warm-ups included' }),
  cellTotal: Type.Integer(),
  jobDone: Type.Integer({ description: 'Tasks done in the whole job, warm-ups included' }),
  jobTotal: Type.Integer()
}, { $id: 'RunProgress' })

export type RunRef = Static<typeof RunRefSchema>
export type RunProgress = Static<typeof RunProgressSchema>

function message<K extends string, J extends TSchema, D extends TSchema> (type: K, jobId: J, data: D, description: string) {
  return Type.Object({
    type: Type.Literal(type),
    jobId,
    seq: Type.Integer({ minimum: 0, description: 'The job\'s event counter: increases per job, never goes backwards; 0 for /api/stream\'s snapshot' }),
    at: Type.String({ format: 'date-time', description: 'When it was published' }),
    data,
    dropped: Type.Optional(Type.Integer({ minimum: 1, description: 'On the first message after some progress messages were dropped for this slow client: how many' }))
  }, { description })
}

const JobId = Type.String()
const JobEvent = <K extends Exclude<JobEventType, 'run.started' | 'progress' | 'run.finished'>>(type: K) =>
  message(type, JobId, Type.Ref(JobListItemSchema), `The job as GET /api/jobs lists it, after its status changed${FINAL_EVENTS.includes(type as never) ? '; the last message of a job stream, which then closes with 1000' : ''}`)

/** Every message a stream client can receive, told apart by `type`. */
export const StreamMessageSchema = Type.Union([
  message('snapshot', JobId, Type.Ref(JobViewSchema), 'First on a job stream: the job as GET /api/jobs/:id shows it, reflecting every event up to `seq`'),
  message('snapshot', Type.Null(), Type.Object({ jobs: Type.Array(Type.Ref(JobListItemSchema)) }), 'First on /api/stream: the running and queued jobs'),
  JobEvent('job.queued'),
  JobEvent('job.started'),
  message('run.started', JobId, Type.Ref(RunRefSchema), 'A run (warm-up or recorded) starts'),
  message('progress', JobId, Type.Ref(RunProgressSchema), 'Tasks done, at most 10 a second per job; may be dropped for a slow client'),
  message('run.finished', JobId, Type.Ref(RunSchema), 'A run was recorded (warm-ups are not)'),
  ...FINAL_EVENTS.map(JobEvent),
  message('error', JobId, Type.Object({ code: Type.String(), message: Type.String() }), 'The job does not exist; the stream then closes with 4404')
], { $id: 'StreamMessage', description: 'A message of WS /api/jobs/:id/stream or WS /api/stream (README "Streams")' })

export type StreamMessage = Static<typeof StreamMessageSchema>
