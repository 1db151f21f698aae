import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { presets } from '../jobs/presets.js'
import type { CatalogEntry } from '../jobs/workload-catalog.js'
import { PresetSchema, WorkloadSchema, type Workload } from '../schemas/catalog.js'

const catalog: FastifyPluginAsyncTypebox = async (app) => {
  const builtinRuntimes = (id: string): Workload['runtimes'] =>
    app.runtimes.list.filter(r => r.workloads.includes(id)).map(r => ({ id: r.id, available: r.available }))
  // A package workload runs where its runners are: a runtime counts when one of them has it.
  const packageRuntimes = (e: CatalogEntry): Workload['runtimes'] =>
    app.runtimes.list.filter(r => e.description.runtimes.some(x => r.id.startsWith(x))).map(r => ({ id: r.id, available: e.runtimes.includes(r.id) }))

  app.get('/api/workloads', {
    schema: {
      tags: ['catalog'],
      summary: 'The built-in workloads and those registered runners loaded from WORKLOADS, with their parameter schemas, source and version',
      response: { 200: Type.Array(Type.Ref(WorkloadSchema)) }
    }
  }, async () => {
    // Always the claims as they are now (one small query): a runner that just registered is listed.
    const snapshot = await app.workloads.refresh()
    return [...snapshot.entries.values()].map(e => {
      const { id, kind, description, params, defaults, sharedMemory, source, version, deterministic } = e.description
      return {
        id, kind, description, params, defaults, sharedMemory, source, version, deterministic,
        versions: e.versions,
        runtimes: e.builtin ? builtinRuntimes(id) : packageRuntimes(e),
        runners: e.runners,
        available: e.available,
        reason: e.reason
      }
    })
  })

  app.get('/api/presets', {
    schema: {
      tags: ['catalog'],
      summary: 'Ready-made specs reproducing the seed experiments; submit with {"preset": id}',
      response: { 200: Type.Array(Type.Ref(PresetSchema)) }
    }
  }, async () => [...presets])
}

export default catalog
