// src/plugins/dashboard.ts without a browser: the built files at their paths, a 503 that says how
// to build when there is no bundle, and nothing of the API, /docs or /metrics shadowed.
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import Fastify from 'fastify'
import dashboard from '../../src/plugins/dashboard.js'
import { build } from '../helpers/app.js'

async function bare (t: Parameters<typeof build>[0], root: string) {
  const app = Fastify()
  await app.register(dashboard, { root })
  t.after(async () => { await app.close() })
  await app.ready()
  return app
}

test('without a build, every dashboard path answers 503 COREBENCH_ERR_DASHBOARD_NOT_BUILT in the error shape', async (t) => {
  const app = await bare(t, join(tmpdir(), 'corebench-no-such-dir', 'web'))
  for (const url of ['/', '/index.html', '/app.js', '/style.css']) {
    const res = await app.inject(url)
    assert.equal(res.statusCode, 503, url)
    assert.deepEqual(res.json(), { statusCode: 503, code: 'COREBENCH_ERR_DASHBOARD_NOT_BUILT', error: 'Service Unavailable', message: 'run npm run build' })
  }
})

test('a build is served at / with its assets; other paths are not the dashboard\'s', async (t) => {
  const outdir = mkdtempSync(join(tmpdir(), 'corebench-web-'))
  t.after(() => { rmSync(outdir, { recursive: true, force: true }) })
  const script = new URL('../../scripts/build-web.mjs', import.meta.url).href
  const { buildWeb } = await import(script) as { buildWeb: (o: { outdir: string }) => Promise<{ files: Record<string, number> }> }
  const { files } = await buildWeb({ outdir })
  assert.ok(Object.keys(files).some(f => f.endsWith('app.js')))
  // The dashboard shares the server's shapes as types only: of the server's code, the bundle holds
  // just the import-free vocabulary, cells and host wording, and of the packages only uPlot.
  const sources = (JSON.parse(readFileSync(join(outdir, 'app.js.map'), 'utf8')) as { sources: string[] }).sources
  const server = sources.filter(s => !s.includes('/web/src/') && !s.includes('node_modules/')).map(s => s.replace(/^.*\/src\//, 'src/'))
  assert.deepEqual(server.sort(), ['src/host/describe.ts', 'src/schemas/cells.ts', 'src/schemas/vocabulary.ts'])
  assert.deepEqual([...new Set(sources.filter(s => s.includes('node_modules/')).map(s => s.replace(/^.*node_modules\/([^/]+).*$/, '$1')))], ['uplot'])
  const app = await bare(t, outdir)

  const index = await app.inject('/')
  assert.equal(index.statusCode, 200)
  assert.match(String(index.headers['content-type']), /^text\/html/)
  assert.match(index.body, /<script src="\/app\.js" defer><\/script>/)
  assert.doesNotMatch(index.body, /https?:\/\//, 'nothing is loaded from another origin')
  assert.match(String(index.headers['content-security-policy']), /default-src 'self'/)
  assert.equal(index.headers['cache-control'], 'no-cache')
  for (const [url, type] of [['/app.js', /javascript/], ['/style.css', /text\/css/], ['/uPlot.min.css', /text\/css/]] as const) {
    const res = await app.inject(url)
    assert.equal(res.statusCode, 200, url)
    assert.match(String(res.headers['content-type']), type, url)
  }
  assert.equal((await app.inject('/other.js')).statusCode, 404)
  assert.equal((await app.inject('/../package.json')).statusCode, 404)
})

test('in the app, the dashboard does not shadow /api, /docs or /metrics, and unknown paths keep the JSON 404', async (t) => {
  const { app } = await build(t)
  assert.equal((await app.inject('/api/health')).statusCode, 200)
  const missing = await app.inject('/api/no-such-thing')
  assert.equal(missing.statusCode, 404)
  assert.equal(missing.json().code, 'COREBENCH_ERR_ROUTE_NOT_FOUND')
  assert.equal((await app.inject('/nope.html')).json().code, 'COREBENCH_ERR_ROUTE_NOT_FOUND')
  assert.equal((await app.inject('/metrics')).statusCode, 200)
  assert.ok([200, 302].includes((await app.inject('/docs')).statusCode))
  const doc = (await app.inject('/docs/json')).json() as { paths: Record<string, unknown> }
  assert.ok(doc.paths['/api/jobs'] !== undefined)
  assert.equal(doc.paths['/'], undefined, 'the dashboard routes are not API operations')
  // 200 with a build in dist/web, else the 503 that says how to make one: never a 404.
  const root = await app.inject('/')
  assert.ok(root.statusCode === 200 || (root.statusCode === 503 && root.json().code === 'COREBENCH_ERR_DASHBOARD_NOT_BUILT'))
})
