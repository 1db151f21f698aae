import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { fileURLToPath } from 'node:url'

interface Loop { units: string[], edges: Array<{ from: string, to: string, at: string }> }
const script = fileURLToPath(new URL('../../scripts/folder-cycles.mjs', import.meta.url))
const { folderCycles } = await import(new URL('../../scripts/folder-cycles.mjs', import.meta.url).href) as { folderCycles: (root: string) => Loop[] }

/** A source root made of the given files (path → text), removed after the test. */
function tree (t: TestContext, files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'corebench-folders-'))
  t.after(() => { rmSync(root, { recursive: true, force: true }) })
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  return root
}

test('a loop between two folders is reported with the imports that close it, type-only ones included', (t) => {
  const root = tree(t, {
    'jobs/run.ts': "import { summarize } from '../stats/summary.js'\nexport const run = summarize\n",
    'stats/summary.ts': "// a header\nimport type {\n  Cell\n} from '../jobs/deep/cells.js'\nexport const summarize = (c: Cell) => c\n",
    'jobs/deep/cells.ts': 'export interface Cell { n: number }\n',
    'api/routes.ts': "import { run } from '../jobs/run.js'\nimport('../stats/summary.js')\n"
  })
  const loops = folderCycles(root)
  assert.equal(loops.length, 1)
  assert.deepEqual(loops[0]?.units, ['jobs/', 'stats/'])
  assert.deepEqual(loops[0]?.edges.map(e => `${e.from}→${e.to}@${e.at.split(':').at(-1)}`).sort(), ['jobs/→stats/@1', 'stats/→jobs/@4'])
})

test('a root file is a unit of its own, and a loop through it counts', (t) => {
  const root = tree(t, {
    'config.ts': "import { ORDERS } from './jobs/order.js'\nexport const config = ORDERS\n",
    'jobs/order.ts': 'export const ORDERS = 1\n',
    'jobs/spec.ts': "import { config } from '../config.js'\nexport const spec = config\n"
  })
  assert.deepEqual(folderCycles(root).map(l => l.units), [['config.ts', 'jobs/']])
})

test('layers that only import downwards have no loop; the command says so and exits 0, else 1', (t) => {
  const clean = tree(t, {
    'app.ts': "import { a } from './api/a.js'\nexport default a\n",
    'api/a.ts': "import { v } from '../views/v.js'\nimport { s } from '../schemas/s.js'\nexport const a = [v, s]\n",
    'views/v.ts': "import { s } from '../schemas/s.js'\nexport const v = s\n",
    'schemas/s.ts': "import { Type } from '@sinclair/typebox'\nexport const s = Type\n"
  })
  assert.deepEqual(folderCycles(clean), [])
  const ok = spawnSync(process.execPath, [script, clean], { encoding: 'utf8' })
  assert.equal(ok.status, 0, ok.stderr)
  const looped = tree(t, { 'a/x.ts': "export * from '../b/y.js'\n", 'b/y.ts': "import '../a/x.js'\n" })
  const bad = spawnSync(process.execPath, [script, clean, looped], { encoding: 'utf8' })
  assert.equal(bad.status, 1)
  assert.match(bad.stderr, /folder loop in .*: a\/ ⇄ b\//)
})
