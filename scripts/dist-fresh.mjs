// Whether dist/ holds a build of the current sources: its server and runner are at least as new as
// every file under src/ (the Prisma clients that `pretest` regenerates aside) and the Prisma schema.
// Tests use dist/ only then (test/helpers/entry.ts; COREBENCH_COMPILED_ENTRIES in run-tests.mjs):
// a stale build would test old code.
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

/** The newest mtime under `dir` (ms), skipping the generated Prisma clients. */
function newest (dir) {
  let max = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory() && e.name.startsWith('generated')) continue
    const p = join(dir, e.name)
    max = Math.max(max, e.isDirectory() ? newest(p) : statSync(p).mtimeMs)
  }
  return max
}

/** `root`: the repository's directory. */
export function distIsFresh (root) {
  let built = 0
  try { built = Math.min(statSync(join(root, 'dist', 'server.js')).mtimeMs, statSync(join(root, 'dist', 'runner.js')).mtimeMs) } catch { /* no build */ }
  return built > 0 && built >= Math.max(newest(join(root, 'src')), statSync(join(root, 'prisma', 'schema.prisma')).mtimeMs)
}
