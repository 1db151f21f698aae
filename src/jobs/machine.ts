import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { alive as pidAlive } from '../executors/scratch.js'
import type { HostStore, MachineClaim } from '../store/types.js'

/**
 * The machine's identity: `/etc/machine-id` (systemd's, stable across reboots and Node upgrades),
 * else the hostname. Not the host fingerprint, which changes with the Node version or an affinity
 * mask while the cores stay the same.
 */
export function machineIdentity (): string {
  for (const file of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
    try {
      const id = readFileSync(file, 'utf8').trim()
      if (id !== '') return id
    } catch {}
  }
  return `hostname:${hostname()}`
}

export class MachineBusyError extends Error {
  override name = 'MachineBusyError'
  readonly code = 'COREBENCH_ERR_MACHINE_BUSY'
  constructor (readonly holder: MachineClaim) {
    super(`another runner holds this machine (${holder.name}, pid ${holder.pid}, runner ${holder.runnerId}, since ${holder.startedAt.toISOString()}): one job per machine at a time; stop it first`)
  }
}

/**
 * Takes the machine for this runner, or throws MachineBusyError naming the live holder. A holder is
 * gone when its pid no longer exists, or when it has not renewed its claim for `leaseMs` (a reused pid).
 */
export async function claimMachine (store: HostStore, claim: Omit<MachineClaim, 'startedAt' | 'heartbeatAt'>, leaseMs: number): Promise<void> {
  const now = new Date()
  const result = await store.claimMachine({ ...claim, startedAt: now, heartbeatAt: now }, holder =>
    !pidAlive(holder.pid) || now.getTime() - holder.heartbeatAt.getTime() > leaseMs)
  if (!result.ok) throw new MachineBusyError(result.holder)
}
