import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { presets } from '../jobs/presets.js'
import { PresetSchema, WorkloadSchema } from '../schemas/catalog.js'
import { describeWorkloads } from '../workloads/index.js'

const catalog: FastifyPluginAsyncTypebox = async (app) => {
  const workloads = describeWorkloads().map(w => ({
    ...w,
    runtimes: app.runtimes.list.filter(r => r.workloads.includes(w.id)).map(r => ({ id: r.id, available: r.available }))
  }))
  app.get('/api/workloads', {
    schema: { tags: ['catalog'], summary: 'The built-in workloads with their parameter schemas', response: { 200: Type.Array(Type.Ref(WorkloadSchema)) } }
  }, async () => workloads)

  app.get('/api/presets', {
    schema: {
      tags: ['catalog'],
      summary: 'Ready-made specs reproducing the seed experiments; submit with {"preset": id}',
      response: { 200: Type.Array(Type.Ref(PresetSchema)) }
    }
  }, async () => [...presets])
}

export default catalog
