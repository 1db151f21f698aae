// Used only when corebench runs from its TypeScript sources (tests, `npm run dev`): on Node 20 a
// worker thread does not get the parent's `--import tsx` loader hooks, so a `.ts` entry cannot load
// directly. This file registers tsx in the worker and re-exports the real entry named in workerData.
// Production runs the compiled `.js` entries from dist/ and never loads this file.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
const mod = await import(workerData.entry)
export default mod.default
