import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))

/** A checkout with no src/ and no dist/ at all, removed after the test; tsx is linked in so that `--import tsx` resolves from it. */
function checkout (t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'corebench-run-tests-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(join(root, 'node_modules', 'tsx'), join(dir, 'node_modules', 'tsx'))
  return dir
}

test('without a fresh dist/, run-tests clears a COREBENCH_COMPILED_ENTRIES inherited from the shell: pools never start from a stale build', (t) => {
  const dir = checkout(t)
  writeFileSync(join(dir, 'probe.test.mjs'), "import { test } from 'node:test'\ntest('probe', () => { console.log(`ENTRIES=[${process.env.COREBENCH_COMPILED_ENTRIES ?? ''}]`) })\n")
  // NODE_TEST_CONTEXT would make the inner `node --test` report to this test runner, not print its TAP.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'run-tests.mjs'), 'probe.test.mjs'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...env, TEST_CONCURRENCY: '1', COREBENCH_COMPILED_ENTRIES: '/old/dist/executors/entries' }
  })
  assert.equal(r.status, 0, r.stdout + r.stderr)
  assert.match(r.stdout, /pools in test processes start from src\/ under tsx/)
  assert.match(r.stdout, /ENTRIES=\[\]/, r.stdout)
})

test('two files side by side: one that fails only beside another runs again alone and passes, said as flaky; one that always fails still fails', (t) => {
  const dir = checkout(t)
  // `busy` holds a marker file for 1.5 s; `shy` fails while the marker exists (it ran beside `busy`).
  writeFileSync(join(dir, 'busy.test.mjs'), "import { test } from 'node:test'\nimport { writeFileSync, rmSync } from 'node:fs'\ntest('busy', async () => { writeFileSync('marker', ''); await new Promise(r => setTimeout(r, 1500)); rmSync('marker') })\n")
  writeFileSync(join(dir, 'shy.test.mjs'), "import { test } from 'node:test'\nimport { existsSync } from 'node:fs'\ntest('shy', async () => { await new Promise(r => setTimeout(r, 300)); if (existsSync('marker')) throw new Error('ran beside busy') })\n")
  writeFileSync(join(dir, 'broken.test.mjs'), "import { test } from 'node:test'\ntest('broken', () => { throw new Error('always') })\n")
  const { NODE_TEST_CONTEXT: _, ...env } = process.env
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'run-tests.mjs'), 'busy.test.mjs', 'shy.test.mjs', 'broken.test.mjs'], { cwd: dir, encoding: 'utf8', env: { ...env, TEST_CONCURRENCY: '2' } })
  assert.equal(r.status, 1, r.stdout + r.stderr)
  assert.match(r.stdout, /ran beside busy/, 'the first failure stays in the output')
  assert.match(r.stdout, /# FLAKY UNDER LOAD: 1 file\(s\) failed beside another file and passed alone \(see their first output above\): shy\.test\.mjs/)
  assert.match(r.stdout, /3 files, .* 1 failed: broken\.test\.mjs$/m)
})
