import { PresetSchema, WorkloadSchema } from './catalog.js'
import { ErrorSchema, FieldErrorSchema } from './common.js'
import { HostSchema } from './host.js'
import { JobSpecSchema, JobSubmitSchema, SpecDefaultsSchema } from './job.js'
import { JobListItemSchema, JobViewSchema, RunErrorSchema, RunSchema } from './job-view.js'
import { RunProgressSchema, RunRefSchema, StreamMessageSchema } from './stream.js'
import { CellSummarySchema, JobSummarySchema, ScalingSummarySchema } from './summary.js'
import { JobVersionsSchema } from './workload.js'

/**
 * The shared schemas, added to the app by their $id: routes refer to them with Type.Ref, and the
 * OpenAPI document lists them under components.schemas (the stream messages only there, since
 * OpenAPI cannot describe WebSocket frames).
 */
export const COMPONENTS = [
  FieldErrorSchema, ErrorSchema, HostSchema, WorkloadSchema, PresetSchema, JobSubmitSchema, JobSpecSchema, SpecDefaultsSchema, RunErrorSchema, RunSchema, CellSummarySchema, ScalingSummarySchema, JobSummarySchema,
  JobVersionsSchema, JobListItemSchema, JobViewSchema, RunRefSchema, RunProgressSchema, StreamMessageSchema
]
