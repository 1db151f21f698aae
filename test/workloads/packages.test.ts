import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test, type TestContext } from 'node:test'
import { workloadIds } from '../../src/workloads/index.js'
import { loadWorkloadPackages, WorkloadPackageError, type LoadOptions } from '../../src/workloads/packages/load.js'

// The loader a runner runs at start (issue 17): every bad-module case fails a strict start with its
// exact one line naming the file; with strict off the module is listed unavailable, the rest load.

const ACME = fileURLToPath(new URL('../fixtures/workload-packages/acme', import.meta.url))

/** A package directory in a temp dir: package.json listing `modules` (name → source), plus `extra` files. */
function pkg (t: TestContext, modules: Record<string, string>, extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'corebench-wlpkg-'))
  t.after(() => { rmSync(dir, { recursive: true, force: true }) })
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'acme-test', version: '0.3.1', corebench: { workloads: Object.keys(modules).map(m => `./${m}`) } }))
  for (const [name, text] of Object.entries({ ...modules, ...extra })) writeFileSync(join(dir, name), text)
  return dir
}

const PARAMS = "{ type: 'object', properties: { n: { type: 'integer', minimum: 1, maximum: 100, default: 3 } } }"
/** A valid module's source; `over` replaces or adds fields of its default export (source text), `tail` adds statements. */
function workload (id: string, over: Record<string, string> = {}, tail = ''): string {
  const fields: Record<string, string> = { id: JSON.stringify(id), kind: "'cpu'", description: "'a test workload'", params: PARAMS, run: '({ n }) => ({ checksum: String(n * 2) })', ...over }
  return `export default { ${Object.entries(fields).filter(([, v]) => v !== '').map(([k, v]) => `${k}: ${v}`).join(', ')} }\n${tail}`
}

async function strictFailure (dir: string, opts: Partial<LoadOptions> = {}): Promise<string> {
  const err = await loadWorkloadPackages({ workloads: dir, strict: true, builtinIds: workloadIds, ...opts }).then(() => undefined, (e: unknown) => e)
  assert.ok(err instanceof WorkloadPackageError, `expected a WorkloadPackageError, got ${String(err)}`)
  assert.equal(err.code, 'COREBENCH_ERR_WORKLOAD_PACKAGE')
  assert.doesNotMatch(err.message, /\n/, 'one line')
  return err.message
}

test('a package loads: description, defaults, version = package version + content hash, python with a twin', async () => {
  const { loaded, unavailable } = await loadWorkloadPackages({ workloads: ACME, strict: true, builtinIds: workloadIds })
  assert.deepEqual(unavailable, [])
  const [digest, noisy] = loaded
  assert.equal(digest?.description.id, 'acme/digest')
  assert.deepEqual(digest?.description.defaults, { rounds: 200, salt: 'a' })
  assert.match(digest?.description.version ?? '', /^1\.2\.0\+[0-9a-f]{12}$/)
  assert.deepEqual(digest?.description.runtimes, ['node', 'python'])
  assert.equal(digest?.description.source, ACME)
  assert.equal(digest?.python, join(ACME, 'digest.py'))
  assert.equal(noisy?.description.deterministic, false)
  assert.deepEqual(noisy?.description.runtimes, ['node'])
  assert.notEqual(noisy?.description.version, digest?.description.version, 'each module its own hash')
})

test('the version changes with the module and with its Python twin, and only with them', async (t) => {
  const dir = pkg(t, { 'a.mjs': workload('acme/a') }, { 'a.py': "ID = 'acme/a'\ndef run(params, task):\n    return str(params['n'] * 2)\n" })
  const version = async (): Promise<string> => (await loadWorkloadPackages({ workloads: dir, strict: true, builtinIds: [] })).loaded[0]?.description.version as string
  const first = await version()
  writeFileSync(join(dir, 'README.md'), 'not a module')
  assert.equal(await version(), first)
  writeFileSync(join(dir, 'a.py'), "ID = 'acme/a'\ndef run(params, task):\n    return str(params['n'] + params['n'])\n")
  const second = await version()
  assert.notEqual(second, first)
  writeFileSync(join(dir, 'a.mjs'), workload('acme/a', { run: '({ n }) => ({ checksum: String(n + n) })' }))
  assert.notEqual(await version(), second)
})

test('each bad module fails a strict load with one line naming the file and the problem', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['a params schema without a bound', workload('acme/a', { params: "{ type: 'object', properties: { n: { type: 'integer', minimum: 1, default: 3 } } }" }),
      'params.n: has no maximum (every number needs minimum, maximum and default)'],
    ['a default outside its bounds', workload('acme/a', { params: "{ type: 'object', properties: { n: { type: 'number', minimum: 1, maximum: 5, default: 9 } } }" }),
      'params.n: default 9 is outside [1, 5]'],
    ['a string without an enum', workload('acme/a', { params: "{ type: 'object', properties: { s: { type: 'string', default: 'x' } } }" }),
      'params.s: a string needs an enum of allowed strings'],
    ['no run', workload('acme/a', { run: '' }), 'run is not a function (expected run(params, task) returning { checksum })'],
    ['a module that throws on import', "throw new Error('no GPU on this host')\n", 'throws on import: Error: no GPU on this host'],
    ['no default export', 'export const id = 1\n', 'has no default export (expected { id, kind, description, params, run })'],
    ['an id without a namespace', workload('resize'), 'id "resize" is not a namespaced id (owner/name: lower-case letters, digits, -)'],
    ['an unknown kind', workload('acme/a', { kind: "'gpu'" }), 'kind "gpu" is not one of cpu, io, memory, mixed'],
    ['a smoke task that throws', workload('acme/a', { run: "({ n }) => { if (n > 50) throw new RangeError('n too large'); return { checksum: 'ok' } }" }, 'export const smoke = { n: 60 }'),
      'the smoke task threw RangeError: n too large'],
    ['smoke params outside the schema', workload('acme/a', {}, 'export const smoke = { n: 500 }'), 'smoke params.n: Expected integer to be less or equal to 100'],
    ['a smoke task without a checksum', workload('acme/a', { run: '() => 42' }), 'the smoke task returned 42 (expected { checksum: string })'],
    ['an async smoke task that rejects', workload('acme/a', { run: "async () => { throw new TypeError('bad input') }" }), 'the smoke task threw TypeError: bad input'],
    ['a module that exits its thread', workload('acme/a', {}, 'process.exit(3)'), 'ended the loader thread (exit code 3)']
  ]
  for (const [what, source, problem] of cases) {
    const dir = pkg(t, { 'bad.mjs': source })
    assert.equal(await strictFailure(dir), `WORKLOADS: ${join(dir, 'bad.mjs')}: ${problem}`, what)
  }
})

test('a smoke task that never ends fails its module after the bound, and only its module', async (t) => {
  const dir = pkg(t, { 'hang.mjs': workload('acme/hang', { run: '() => { for (;;); }' }), 'ok.mjs': workload('acme/ok') })
  const message = await strictFailure(dir, { moduleTimeoutMs: 500 })
  assert.equal(message, `WORKLOADS: ${join(dir, 'hang.mjs')}: its import and smoke task did not finish within 500 ms`)
  const lenient = await loadWorkloadPackages({ workloads: dir, strict: false, builtinIds: [], moduleTimeoutMs: 500 })
  assert.deepEqual(lenient.loaded.map(w => w.description.id), ['acme/ok'], 'a fresh loader thread goes on after the one that hung')
})

test('duplicate ids: across modules, and against the built-ins', async (t) => {
  const dir = pkg(t, { 'one.mjs': workload('acme/a'), 'two.mjs': workload('acme/a') })
  assert.equal(await strictFailure(dir), `WORKLOADS: ${join(dir, 'two.mjs')}: id "acme/a" is also the id of ${join(dir, 'one.mjs')}`)
  const single = pkg(t, { 'one.mjs': workload('acme/a') })
  assert.equal(await strictFailure(single, { builtinIds: [...workloadIds, 'acme/a'] }), `WORKLOADS: ${join(single, 'one.mjs')}: id "acme/a" is a built-in workload's`)
})

test('a Python twin must name the same id', async (t) => {
  const dir = pkg(t, { 'a.mjs': workload('acme/a') }, { 'a.py': "ID = 'acme/b'\ndef run(params, task):\n    return '1'\n" })
  assert.equal(await strictFailure(dir), `WORKLOADS: ${join(dir, 'a.mjs')}: its Python twin ${join(dir, 'a.py')} defines ID "acme/b", the module "acme/a"`)
})

test('package-level problems name the package', async (t) => {
  const empty = mkdtempSync(join(tmpdir(), 'corebench-wlpkg-'))
  t.after(() => { rmSync(empty, { recursive: true, force: true }) })
  assert.equal(await strictFailure(empty), `WORKLOADS: ${empty}: has no package.json`)
  const noList = join(empty, 'nolist')
  mkdirSync(noList)
  writeFileSync(join(noList, 'package.json'), JSON.stringify({ name: 'x', version: '1.0.0' }))
  assert.equal(await strictFailure(noList), `WORKLOADS: ${noList}: package.json has no "corebench": { "workloads": ["./module.mjs", …] } list`)
  assert.equal(await strictFailure('@acme/not-installed-anywhere'), 'WORKLOADS: @acme/not-installed-anywhere: no such npm package (resolved from the runner\'s working directory)')
})

test('an npm package name resolves from the working directory, as require would', async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'corebench-wlcwd-'))
  t.after(() => { rmSync(cwd, { recursive: true, force: true }) })
  const dir = join(cwd, 'node_modules', '@acme', 'bench')
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@acme/bench', version: '2.0.0', corebench: { workloads: ['./a.mjs'] } }))
  writeFileSync(join(dir, 'a.mjs'), workload('acme/a'))
  const { loaded } = await loadWorkloadPackages({ workloads: ' @acme/bench , ', strict: true, builtinIds: workloadIds, cwd })
  assert.deepEqual(loaded.map(w => [w.description.id, w.description.source, w.module]), [['acme/a', '@acme/bench', join(dir, 'a.mjs')]])
})

test('WORKLOADS_STRICT=false: the bad modules are listed unavailable with their reasons, the rest load', async (t) => {
  const dir = pkg(t, { 'good.mjs': workload('acme/good'), 'bad.mjs': "throw new Error('boom')\n", 'norun.mjs': workload('acme/norun', { run: '' }) })
  const { loaded, unavailable } = await loadWorkloadPackages({ workloads: `${dir},./missing-dir`, strict: false, builtinIds: workloadIds, cwd: dir })
  assert.deepEqual(loaded.map(w => w.description.id), ['acme/good'])
  assert.deepEqual(unavailable, [
    { source: './missing-dir', file: join(dir, 'missing-dir'), id: null, reason: 'no such directory' },
    { source: dir, file: join(dir, 'bad.mjs'), id: null, reason: 'throws on import: Error: boom' },
    { source: dir, file: join(dir, 'norun.mjs'), id: 'acme/norun', reason: 'run is not a function (expected run(params, task) returning { checksum })' }
  ])
})

test('an empty WORKLOADS loads nothing and starts no thread', async () => {
  assert.deepEqual(await loadWorkloadPackages({ workloads: '', strict: true, builtinIds: workloadIds }), { loaded: [], unavailable: [] })
})
