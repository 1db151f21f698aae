import type { HostFingerprint } from '../../host/fingerprint.js'
import type { RunnerWorkloads } from '../../schemas/workload.js'
import type { PrismaClient } from '../client.js'
import type { RunnerClaim } from '../generated/client.js'
import type { HostStore, MachineClaim } from '../types.js'
import type { PrismaDb } from './db.js'

/** Hosts and machine claims in SQLite. */
export class PrismaHostStore implements HostStore {
  constructor (private readonly db: PrismaDb) {}

  private get prisma (): PrismaClient {
    return this.db.client
  }

  async upsertHost (host: HostFingerprint): Promise<void> {
    const { id, ...fields } = host
    // The topology is not hashed into the id (a governor may change): the latest reading is kept.
    const { cpuQuota, physicalCores, usablePhysicalCores, numaNodes, cpuGovernor, virtualMachine, systemVendor } = fields
    await this.db.transaction(async tx => await tx.host.upsert({ where: { id }, create: { id, ...fields }, update: { lastSeenAt: new Date(), cpuQuota, physicalCores, usablePhysicalCores, numaNodes, cpuGovernor, virtualMachine, systemVendor } }))
  }

  async getHost (id: string): Promise<HostFingerprint | undefined> {
    const row = await this.prisma.host.findUnique({ where: { id }, omit: { firstSeenAt: true, lastSeenAt: true } })
    return row ?? undefined
  }

  async countHosts (): Promise<number> {
    return await this.prisma.host.count()
  }

  async claimMachine (claim: MachineClaim, holderGone: (holder: MachineClaim) => boolean): Promise<{ ok: true } | { ok: false, holder: MachineClaim }> {
    for (;;) {
      const row = await this.prisma.runnerClaim.findUnique({ where: { machineId: claim.machineId } })
      const holder = row === null ? null : toClaim(row)
      const data = { ...claim, labels: JSON.stringify(claim.labels), runtimes: JSON.stringify(claim.runtimes), workloads: JSON.stringify(claim.workloads) }
      if (holder === null) {
        try {
          await this.db.transaction(async tx => await tx.runnerClaim.create({ data }))
          return { ok: true }
        } catch (err) {
          if ((err as { code?: string }).code === 'P2002') continue // another runner was faster: look again
          throw err
        }
      }
      if (holder.releasedAt === null && !holderGone(holder)) return { ok: false, holder }
      // Take it over only from the holder we judged dead, never from one that replaced it meanwhile.
      const { count } = await this.db.transaction(async tx => await tx.runnerClaim.updateMany({ where: { machineId: claim.machineId, runnerId: holder.runnerId }, data }))
      if (count === 1) return { ok: true }
    }
  }

  async heartbeatMachine (machineId: string, runnerId: string): Promise<boolean> {
    const { count } = await this.db.transaction(async tx => await tx.runnerClaim.updateMany({ where: { machineId, runnerId, releasedAt: null }, data: { heartbeatAt: new Date() } }))
    return count > 0
  }

  async releaseMachine (machineId: string, runnerId: string): Promise<void> {
    await this.db.transaction(async tx => await tx.runnerClaim.updateMany({ where: { machineId, runnerId, releasedAt: null }, data: { releasedAt: new Date() } }))
  }

  async listMachines (): Promise<MachineClaim[]> {
    return (await this.prisma.runnerClaim.findMany({ orderBy: { name: 'asc' } })).map(toClaim)
  }
}

function toClaim (r: RunnerClaim): MachineClaim {
  return { ...r, labels: JSON.parse(r.labels) as string[], runtimes: JSON.parse(r.runtimes) as string[], workloads: JSON.parse(r.workloads) as RunnerWorkloads }
}
