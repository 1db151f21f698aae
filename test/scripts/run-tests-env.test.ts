import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))

test('without a fresh dist/, run-tests clears a COREBENCH_COMPILED_ENTRIES inherited from the shell: pools never start from a stale build', (t) => {
  // A checkout with no dist/ at all; tsx is linked in so that `--import tsx` resolves from it.
  const dir = mkdtempSync(join(tmpdir(), 'corebench-run-tests-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(join(root, 'node_modules', 'tsx'), join(dir, 'node_modules', 'tsx'))
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
