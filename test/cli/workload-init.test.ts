// Issue 17: `corebench workload init NAME` scaffolds a package that works as it is (its own test
// passes in Node and Python), and refuses a bad name or a non-empty directory in one line.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { cli } from './helpers.js'

const tmp = mkdtempSync(join(tmpdir(), 'corebench-init-'))
after(() => { rmSync(tmp, { recursive: true, force: true }) })

test('workload init writes a package whose own test passes: one task in Node and one in Python, same checksum', async () => {
  const dir = join(tmp, 'resize-image')
  const r = await cli('http://127.0.0.1:9', ['workload', 'init', 'resize-image', '--scope', 'acme', '--dir', dir])
  assert.equal(r.code, 0, r.err)
  assert.match(r.out, /created workload acme\/resize-image/)
  assert.deepEqual(readdirSync(dir).sort(), ['README.md', 'package.json', 'resize-image.mjs', 'resize-image.py', 'resize-image.test.mjs'])
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  assert.deepEqual(pkg.corebench, { workloads: ['./resize-image.mjs'] })
  assert.match(readFileSync(join(dir, 'README.md'), 'utf8'), /WORKLOADS=/)
  // The scaffold's test, as its author runs it (`npm test`), from its own directory.
  // Without this runner's NODE_TEST_CONTEXT, which would make the child skip its tests.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env
  const out = execFileSync(process.execPath, ['--test', 'resize-image.test.mjs'], { cwd: dir, encoding: 'utf8', env })
  assert.match(out, /# pass 1/)
  assert.match(out, /# fail 0/)
})

test('workload init refuses a bad name, a bad scope and a non-empty directory, in one line, writing nothing', async () => {
  for (const [args, pattern] of [
    [['Resize_Image'], /^corebench: name "Resize_Image" is not allowed: use lowercase letters, digits and '-'.* \(EUSAGE\)\n$/],
    [['../escape'], /^corebench: name "\.\.\/escape" is not allowed.* \(EUSAGE\)\n$/],
    [['ok', '--scope', 'Acme Corp'], /^corebench: --scope "Acme Corp" is not allowed.* \(EUSAGE\)\n$/],
    [['x'.repeat(65)], /^corebench: name "x{64}"… is longer than 64 characters \(EUSAGE\)\n$/]
  ] as const) {
    const r = await cli('http://127.0.0.1:9', ['workload', 'init', ...args, '--dir', join(tmp, 'never')])
    assert.equal(r.code, 2, r.err)
    assert.match(r.err, pattern)
  }
  assert.throws(() => readdirSync(join(tmp, 'never')), /ENOENT/)

  const full = join(tmp, 'full')
  mkdirSync(full)
  writeFileSync(join(full, 'keep.txt'), 'mine')
  const r = await cli('http://127.0.0.1:9', ['workload', 'init', 'full', '--dir', full])
  assert.equal(r.code, 2)
  assert.equal(r.err, `corebench: ${full} exists and is not empty: choose another directory (nothing was written) (EEXIST)\n`)
  assert.deepEqual(readdirSync(full), ['keep.txt'])
})
