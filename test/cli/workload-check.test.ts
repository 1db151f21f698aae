// Issue 17: `corebench workload check DIR` is CI for workload authors: it loads the package as a
// runner does and runs one task of each workload in Node and in Python (same checksum), or exits 2
// with one line naming the file and the problem.
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { cli } from './helpers.js'

const tmp = mkdtempSync(join(tmpdir(), 'corebench-check-'))
after(() => { rmSync(tmp, { recursive: true, force: true }) })
const NO_SERVER = 'http://127.0.0.1:9'

test('workload check passes on a fresh scaffold and on examples/workloads, naming each workload, its version and the Python result', { timeout: 120_000 }, async () => {
  const dir = join(tmp, 'demo')
  assert.equal((await cli(NO_SERVER, ['workload', 'init', 'demo', '--dir', dir])).code, 0)
  const r = await cli(NO_SERVER, ['workload', 'check', dir])
  assert.equal(r.code, 0, r.err)
  assert.match(r.out, /^ok local\/demo 0\.1\.0\+[0-9a-f]{12}: node run checksum [0-9a-f]+; python: same checksum$/m)
  assert.match(r.out, /^1 workload\(s\) ready: start a runner with WORKLOADS=/m)

  const examples = await cli(NO_SERVER, ['workload', 'check', 'examples/workloads'])
  assert.equal(examples.code, 0, examples.err)
  assert.match(examples.out, /^ok examples\/gzip 1\.0\.0\+[0-9a-f]{12}: .*python: same checksum$/m)
  assert.match(examples.out, /^ok examples\/regex-scan 1\.0\.0\+[0-9a-f]{12}: .*python: same checksum$/m)
})

test('workload check exits 2 with one line: a Python twin with another checksum, a module without run', { timeout: 120_000 }, async () => {
  const dir = join(tmp, 'drift')
  assert.equal((await cli(NO_SERVER, ['workload', 'init', 'drift', '--dir', dir])).code, 0)
  const twin = join(dir, 'drift.py')
  writeFileSync(twin, readFileSync(twin, 'utf8').replace('return str(total)', 'return str(total + 1)'))
  const drift = await cli(NO_SERVER, ['workload', 'check', dir])
  assert.equal(drift.code, 2)
  assert.match(drift.err, new RegExp(`^corebench: ${twin.replaceAll('/', '\\/')}: local/drift gives checksum \\S+ in Python but \\S+ in Node \\(same params \\{"n":1000000\\}\\) \\(EWORKLOAD\\)\\n$`))

  const module = join(dir, 'drift.mjs')
  writeFileSync(module, readFileSync(module, 'utf8').replace('  run ({ n }, task) {', '  runn ({ n }, task) {'))
  const noRun = await cli(NO_SERVER, ['workload', 'check', dir])
  assert.equal(noRun.code, 2)
  assert.equal(noRun.err, `corebench: WORKLOADS: ${module}: run is not a function (expected run(params, task) returning { checksum }) (EWORKLOAD)\n`)
})
