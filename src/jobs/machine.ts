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
  /** `holder` is undefined when the machine lock is held but its holder has not written its row yet. */
  constructor (readonly holder: MachineClaim | undefined) {
    const who = holder === undefined ? 'its advisory lock in PostgreSQL is held' : `${holder.name}, pid ${holder.pid}, runner ${holder.runnerId}, since ${holder.startedAt.toISOString()}`
    super(`another runner holds this machine (${who}): one job per machine at a time; stop it first`)
  }
}

/**
 * A lock on the machine identity that the database releases by itself when its holder dies (team
 * mode: a PostgreSQL session-level advisory lock, src/jobs/pg-machine-lock.ts). Where there is one, it
 * decides who holds the machine; the store's claim row stays for GET /api/runners.
 */
export interface MachineLock {
  /** True when taken, false when another runner holds it; throws when the database cannot be reached. */
  acquire: () => Promise<boolean>
  /** Told when a lock held so far is lost (its session ended: a database restart, a dropped connection). */
  onLost: (listener: (err: unknown) => void) => void
  release: () => Promise<void>
}

/**
 * Takes the machine for this runner, or throws MachineBusyError naming the live holder. With `lock`
 * the lock decides (a previous holder's row is taken over: the lock proves it is gone); without, a
 * holder is gone when its pid no longer exists, or when it has not renewed its claim for `leaseMs`
 * (a reused pid).
 */
export async function claimMachine (store: HostStore, claim: Omit<MachineClaim, 'startedAt' | 'heartbeatAt'>, leaseMs: number, lock?: MachineLock): Promise<void> {
  if (lock !== undefined && !await lock.acquire()) {
    throw new MachineBusyError((await store.listMachines()).find(m => m.machineId === claim.machineId && m.releasedAt === null))
  }
  const now = new Date()
  const result = await store.claimMachine({ ...claim, startedAt: now, heartbeatAt: now }, holder =>
    lock !== undefined || !pidAlive(holder.pid) || now.getTime() - holder.heartbeatAt.getTime() > leaseMs)
  if (!result.ok) throw new MachineBusyError(result.holder)
}
