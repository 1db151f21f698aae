import type { HostStore, MachineClaim } from '../store/types.js'
import type { RunnerInfo } from './routing.js'

/**
 * Since when a registered runner is offline, or null while it is online: offline once it released
 * its machine, or once its heartbeat is older than the lease (`leaseMs`, the rule that also
 * recovers its job).
 */
export function offlineSince (claim: Pick<MachineClaim, 'releasedAt' | 'heartbeatAt'>, leaseMs: number, now: Date): Date | null {
  if (claim.releasedAt !== null) return claim.releasedAt
  return now.getTime() - claim.heartbeatAt.getTime() > leaseMs ? claim.heartbeatAt : null
}

/**
 * Every runner that has registered (held a machine) in this database, as routing sees it: the
 * hardware of its host fingerprint, its labels and runtimes, online while its lease is fresh.
 * A claim whose host row is missing is left out (nothing to match its hardware against).
 */
export async function registeredRunners (store: HostStore, leaseMs: number, now = new Date()): Promise<RunnerInfo[]> {
  const claims = await store.listMachines()
  const out = await Promise.all(claims.map(async (c): Promise<RunnerInfo | undefined> => {
    const host = await store.getHost(c.hostId)
    if (host === undefined) return undefined
    return { name: c.name, arch: host.arch, usableCores: host.usableCores, cpuModel: host.cpuModel, labels: c.labels, runtimes: c.runtimes, workloads: c.workloads.loaded.filter(w => w.source !== 'builtin').map(w => ({ id: w.id, version: w.version })), online: offlineSince(c, leaseMs, now) === null, lastSeenAt: c.heartbeatAt }
  }))
  return out.filter(r => r !== undefined)
}
