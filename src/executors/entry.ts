import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const fromSource = import.meta.url.endsWith('.ts')
const ext = fromSource ? '.ts' : '.js'

/**
 * COREBENCH_COMPILED_ENTRIES (for runs from src/ only: tests and `npm run dev`): a directory of
 * compiled entries (dist/executors/entries) built from these very sources. Pools then start from it
 * instead of registering tsx in every worker and child, which costs each fresh pool ~0.5–1 s here
 * against ~0.05 s compiled. The test runner sets it only when dist/ is newer than src/
 * (scripts/dist-fresh.mjs); a build from other sources would run other code. Ignored from dist/.
 */
function compiledEntries (): string | undefined {
  const dir = process.env.COREBENCH_COMPILED_ENTRIES
  return fromSource && dir !== undefined && dir !== '' ? dir : undefined
}

/**
 * Where a worker thread should load `entries/<name>` from, plus the workerData key it needs.
 * From dist/ that is the compiled .js file itself; from src/ (under tsx) a small .mjs bootstrap.
 */
export function threadEntry (name: string): { filename: string, entry: string } {
  const compiled = compiledEntries()
  if (compiled !== undefined) {
    const filename = join(compiled, `${name}.js`)
    return { filename, entry: pathToFileURL(filename).href }
  }
  const entry = new URL(`./entries/${name}${ext}`, import.meta.url).href
  const filename = fromSource ? fileURLToPath(new URL('./entries/tsx-bootstrap.mjs', import.meta.url)) : fileURLToPath(entry)
  return { filename, entry }
}

/**
 * A forked child's entry and the Node arguments it needs: from src/ it inherits `--import tsx` from
 * execArgv and loads its .ts entry directly; a compiled entry needs no loader, so tsx is left out.
 */
export function childEntry (name: string, execArgv: readonly string[]): { path: string, execArgv: string[] } {
  const compiled = compiledEntries()
  if (compiled === undefined) return { path: fileURLToPath(new URL(`./entries/${name}${ext}`, import.meta.url)), execArgv: [...execArgv] }
  const without = execArgv.filter((a, i) => !(a === '--import' && execArgv[i + 1] === 'tsx') && !(a === 'tsx' && execArgv[i - 1] === '--import') && a !== '--import=tsx')
  return { path: join(compiled, `${name}.js`), execArgv: without }
}
