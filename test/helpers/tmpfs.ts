import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'

/** Why a tmpfs cannot be mounted here (not root), for `test(…, { skip })`; false when it can be tried. */
export const noTmpfs: string | false = process.getuid?.() === 0 ? false : 'mounting a tmpfs needs root (CI runs as root)'

/**
 * A real tmpfs of `size` (mount's syntax: "4m") in a fresh directory, unmounted after the test; or
 * undefined, the test skipped, where root may not mount (an unprivileged container): said, not passed.
 */
export function mountTmpfs (t: TestContext, size: string): string | undefined {
  const mnt = mkdtempSync(join(tmpdir(), 'corebench-full-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mnt], { stdio: 'pipe' })
  } catch (err) {
    rmSync(mnt, { recursive: true, force: true })
    t.skip(`cannot mount a tmpfs here: ${String((err as { stderr?: unknown }).stderr ?? err).trim()}`)
    return undefined
  }
  t.after(() => {
    try { execFileSync('umount', ['-l', mnt]) } catch {}
    rmSync(mnt, { recursive: true, force: true })
  })
  return mnt
}

let fillers = 0

/** Fills the filesystem of `dir` until `leave` bytes are free; returns the filler file (remove it to make room). */
export function fill (dir: string, leave = 0): string {
  const free = statfsSync(dir)
  const filler = join(dir, `filler-${++fillers}`)
  writeFileSync(filler, Buffer.alloc(Math.max(0, Number(free.bavail * free.bsize) - leave)))
  return filler
}
