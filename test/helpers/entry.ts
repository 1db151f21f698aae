import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

// How tests start corebench's own processes (a server, a runner): from dist/ when a build at least as
// new as src/ and the Prisma schema exists (CI builds before it tests), else from src/ under tsx.
// Under tsx a server and its runner child spend ~3 s more CPU starting (7.1–7.7 s against 4.1–4.5 s
// measured here), and the suite starts dozens of them. A stale dist/ is never used: it would test old code.

const root = fileURLToPath(new URL('../..', import.meta.url))
const { distIsFresh } = await import(new URL('../../scripts/dist-fresh.mjs', import.meta.url).href) as { distIsFresh: (root: string) => boolean }
/** Checked once per test process. */
const fresh = distIsFresh(root)

/** Node arguments that start `corebench <name>`: `['dist/<name>.js']` or `['--import', 'tsx', 'src/<name>.ts']`. */
export function entryArgs (name: 'server' | 'runner'): string[] {
  return fresh ? [join(root, 'dist', `${name}.js`)] : ['--import', 'tsx', join(root, 'src', `${name}.ts`)]
}
