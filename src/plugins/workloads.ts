import fp from 'fastify-plugin'
import { WorkloadCatalog } from '../jobs/workload-catalog.js'
import { PYTHON_WORKLOADS } from '../runtimes/python/index.js'
import type { WorkloadDescription } from '../schemas/workload.js'
import { version } from '../version.js'
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
  const builtins: WorkloadDescription[] = describeWorkloads().map(w => ({
    ...w,
    version,
    source: 'builtin',
    deterministic: true,
    runtimes: (PYTHON_WORKLOADS as readonly string[]).includes(w.id) ? ['node', 'python'] : ['node']
  }))
  app.decorate('workloads', new WorkloadCatalog({ builtins, machines: async () => await app.store.listMachines(), leaseMs, maxAgeMs: CATALOG_MAX_AGE_MS }))
}, { name: 'workloads', dependencies: ['store'] })
