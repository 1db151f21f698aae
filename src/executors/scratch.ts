import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'

// Every pool generation (a start of an executor, a Python fork) gets a scratch directory of its
// own under the task temp directory, named `<pid of its coordinator>-<sequence>`; tasks write their
// files there (ctx.tmpDir). A workload deletes its files in `finally`, which never runs in a thread
// that is terminated or a child that is SIGKILLed (issue 15 §2: 29-46 MB per timed-out file-io task,
// 170-290 MB per cancelled job, for ever). So the coordinator removes the whole directory once the
// pool's workers are gone, however they went; and what a killed coordinator left behind is swept
// by the next one that uses the same temp directory.

let sequence = 0
const swept = new Set<string>()

/** Creates a fresh scratch directory under `base` for one pool generation. */
export function createScratch (base: string): string {
  sweepStale(base)
  const dir = join(base, `${process.pid}-${++sequence}`)
  mkdirSync(dir, { recursive: true })
  return dir
}

/** Removes a scratch directory and everything in it; call once no worker can write there. */
export function removeScratch (dir: string | undefined): void {
  if (dir === undefined) return
  // maxRetries: a write a terminated thread queued in libuv's pool can land while we delete.
  rmSync(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 20 })
}

/**
 * Removes the scratch directories under `base` whose coordinator process is gone, once per base
 * per process. Loose files of the layout before scratch directories (`corebench-file-io-<pid>-…`)
 * are removed the same way. Returns what it removed.
 */
export function sweepStale (base: string): string[] {
  if (swept.has(base)) return []
  swept.add(base)
  const removed: string[] = []
  let names: string[]
  try {
    names = readdirSync(base)
  } catch {
    return removed
  }
  for (const name of names) {
    const m = /^(?:corebench-file-io-)?(\d+)-/.exec(name)
    if (m === null || alive(Number(m[1]))) continue
    rmSync(join(base, name), { recursive: true, force: true })
    removed.push(name)
  }
  return removed
}

/** Whether a process with this pid exists (EPERM: it does, just not ours). */
export function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
