import fp from 'fastify-plugin'
import { WorkloadCatalog } from '../jobs/workload-catalog.js'
import { PYTHON_WORKLOADS } from '../runtimes/python/index.js'
import { describeWorkloads } from '../workloads/index.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Built-ins plus what registered runners published (GET /api/workloads, spec validation). */
    workloads: WorkloadCatalog
  }
}

/** How long a catalog snapshot serves requests before one refreshes it from the machine claims. */
export const CATALOG_MAX_AGE_MS = 2000

/**
 * The API's workload catalog. It reads runners' registrations from the store and never imports a
 * workload package: package code runs only in a runner's workers and children.
 */
export default fp<{ leaseMs: number }>(async function workloadsPlugin (app, { leaseMs }) {
  const builtins = describeWorkloads(PYTHON_WORKLOADS)
  app.decorate('workloads', new WorkloadCatalog({ builtins, machines: async () => await app.store.listMachines(), leaseMs, maxAgeMs: CATALOG_MAX_AGE_MS }))
}, { name: 'workloads', dependencies: ['store'] })
