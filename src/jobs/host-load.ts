import os from 'node:os'
import { setTimeout as delay } from 'node:timers/promises'

/**
 * Fraction of all cores busy over a short window, from the kernel's per-CPU counters. The load
 * average would still show the previous job for a minute; this sees only what runs right now.
 */
export async function busyFraction (windowMs: number): Promise<number> {
  const total = (): { busy: number, all: number } => {
    let busy = 0; let all = 0
    for (const c of os.cpus()) {
      const t = c.times
      busy += t.user + t.nice + t.sys + t.irq
      all += t.user + t.nice + t.sys + t.irq + t.idle
    }
    return { busy, all }
  }
  const a = total()
  await delay(windowMs)
  const b = total()
  return b.all > a.all ? (b.busy - a.busy) / (b.all - a.all) : 0
}
