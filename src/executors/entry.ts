import { fileURLToPath } from 'node:url'

const fromSource = import.meta.url.endsWith('.ts')
const ext = fromSource ? '.ts' : '.js'

/**
 * Where a worker thread should load `entries/<name>` from, plus the workerData key it needs.
 * From dist/ that is the compiled .js file itself; from src/ (under tsx) a small .mjs bootstrap.
 */
export function threadEntry (name: string): { filename: string, entry: string } {
  const entry = new URL(`./entries/${name}${ext}`, import.meta.url).href
  const filename = fromSource ? fileURLToPath(new URL('./entries/tsx-bootstrap.mjs', import.meta.url)) : fileURLToPath(entry)
  return { filename, entry }
}

/** A forked child inherits `--import tsx` from execArgv, so it can load its .ts entry directly. */
export function childEntry (name: string): string {
  return fileURLToPath(new URL(`./entries/${name}${ext}`, import.meta.url))
}
