import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { presets } from '../jobs/presets.js'
import { JobSubmitSchema } from '../schemas/job.js'
import { describeWorkloads } from '../workloads/index.js'

const WorkloadSchema = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('cpu'), Type.Literal('io'), Type.Literal('memory'), Type.Literal('mixed')]),
  description: Type.String(),
  params: Type.Unknown({ description: 'JSON Schema of the params object (defaults and bounds)' }),
  defaults: Type.Unknown(),
  sharedMemory: Type.Boolean(),
  runtimes: Type.Array(Type.Object({
    id: Type.String(),
    available: Type.Boolean({ description: 'Whether this host has the runtime now (GET /api/host says why not)' })
  }), { description: 'Runtimes that run this workload with identical checksums' })
})

const catalog: FastifyPluginAsyncTypebox = async (app) => {
  const workloads = describeWorkloads().map(w => ({
    ...w,
    runtimes: app.runtimes.list.filter(r => r.workloads.includes(w.id)).map(r => ({ id: r.id, available: r.available }))
  }))
  app.get('/api/workloads', {
    schema: { tags: ['catalog'], summary: 'The built-in workloads with their parameter schemas', response: { 200: Type.Array(WorkloadSchema) } }
  }, async () => workloads)

  app.get('/api/presets', {
    schema: {
      tags: ['catalog'],
      summary: 'Ready-made specs reproducing the seed experiments; submit with {"preset": id}',
      response: { 200: Type.Array(Type.Object({ id: Type.String(), description: Type.String(), spec: Type.Ref(JobSubmitSchema) })) }
    }
  }, async () => [...presets])
}

export default catalog
