import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { RunnerSchema, type Runner } from '../schemas/runner.js'
import type { MachineClaim } from '../store/types.js'
import { offlineSince } from '../jobs/registry.js'

/**
 * Where a runner stands: offline once it released its machine or its heartbeat is older than the
 * lease (the same rule that recovers its job), else running while it holds a running job, else idle.
 */
export function runnerState (claim: MachineClaim, heldJobId: string | undefined, leaseMs: number, now: Date): Pick<Runner, 'state' | 'jobId' | 'offlineSince'> {
  const since = offlineSince(claim, leaseMs, now)
  if (since !== null) return { state: 'offline', jobId: null, offlineSince: since.toISOString() }
  return heldJobId === undefined ? { state: 'idle', jobId: null, offlineSince: null } : { state: 'running', jobId: heldJobId, offlineSince: null }
}

const runners: FastifyPluginAsyncTypebox<{ leaseMs: number }> = async (app, opts) => {
  app.get('/api/runners', {
    schema: { tags: ['service'], summary: 'Every runner that has held a machine of this database: idle, running job X, or offline since …', response: { 200: Type.Array(RunnerSchema) } }
  }, async () => {
    const now = new Date()
    const claims = await app.store.listMachines()
    return await Promise.all(claims.map(async (c): Promise<Runner> => {
      const [held, host] = await Promise.all([app.queue.held({ runnerId: c.runnerId }), app.store.getHost(c.hostId)])
      return {
        name: c.name,
        machineId: c.machineId,
        runnerId: c.runnerId,
        ...runnerState(c, held[0]?.id, opts.leaseMs, now),
        lastSeenAt: c.heartbeatAt.toISOString(),
        startedAt: c.startedAt.toISOString(),
        labels: c.labels,
        runtimes: c.runtimes,
        host: host === undefined ? null : { id: host.id, hostname: host.hostname, cpuModel: host.cpuModel, arch: host.arch, usableCores: host.usableCores, logicalCores: host.logicalCores, physicalCores: host.physicalCores }
      }
    }))
  })
}

export default runners
