import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

// How tests start corebench's own processes (a server, a runner): from dist/ when a build at least as
// new as src/ and the Prisma schema exists (CI builds before it tests), else from src/ under tsx.
// Under tsx a server and its runner child spend ~3 s more CPU starting (7.1–7.7 s against 4.1–4.5 s
// measured here), and the suite starts dozens of them. A stale dist/ is never used: it would test old code.

const root = fileURLToPath(new URL('../..', import.meta.url))

/** The newest mtime under `dir` (ms), skipping the Prisma clients that `pretest` regenerates. */
function newest (dir: string): number {
  let max = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory() && e.name.startsWith('generated')) continue
    const p = join(dir, e.name)
    max = Math.max(max, e.isDirectory() ? newest(p) : statSync(p).mtimeMs)
  }
  return max
}

let fresh: boolean | undefined

/** Whether dist/ holds a build of the current sources (checked once per test process). */
function distIsFresh (): boolean {
  if (fresh !== undefined) return fresh
  let built = 0
  try { built = Math.min(statSync(join(root, 'dist', 'server.js')).mtimeMs, statSync(join(root, 'dist', 'runner.js')).mtimeMs) } catch { /* no build */ }
  fresh = built > 0 && built >= Math.max(newest(join(root, 'src')), statSync(join(root, 'prisma', 'schema.prisma')).mtimeMs)
  return fresh
}

/** Node arguments that start `corebench <name>`: `['dist/<name>.js']` or `['--import', 'tsx', 'src/<name>.ts']`. */
export function entryArgs (name: 'server' | 'runner'): string[] {
  return distIsFresh() ? [join(root, 'dist', `${name}.js`)] : ['--import', 'tsx', join(root, 'src', `${name}.ts`)]
}
