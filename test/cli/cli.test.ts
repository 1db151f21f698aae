import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { cli, listening, oneLine, type Run } from '../helpers/cli.js'
import { tempDatabase } from '../helpers/db.js'
import { quickSpec, submit, waitFor } from '../helpers/jobs.js'

const bin = fileURLToPath(new URL('../../bin/corebench.mjs', import.meta.url))

function specFile (dir: string, name: string, spec: unknown): string {
  const file = join(dir, name)
  writeFileSync(file, JSON.stringify(spec))
  return file
}

test('presets and workloads list every name the API has', async (t) => {
  const { app, url } = await listening(t)
  const presets = (await app.inject('/api/presets')).json() as Array<{ id: string }>
  const workloads = (await app.inject('/api/workloads')).json() as Array<{ id: string }>

  const p = await cli(url, ['presets'])
  assert.equal(p.code, 0, p.err)
  assert.equal(p.err, '')
  for (const { id } of presets) assert.match(p.out, new RegExp(`^${id} `, 'm'))

  const w = await cli(url, ['workloads'])
  assert.equal(w.code, 0, w.err)
  for (const { id } of workloads) assert.match(w.out, new RegExp(`^${id} `, 'm'))
  assert.match(w.out, /^fibonacci +cpu +n=30 repeat=1 /m)

  const json = await cli(url, ['presets', '--json'])
  assert.deepEqual(JSON.parse(json.out), presets)
})

test('submit --watch follows the job to the end, then jobs lists it and show prints its report', async (t) => {
  const { app, url, dir, seen } = await listening(t)
  const file = specFile(dir, 'spec.json', quickSpec)

  const run = await cli(url, ['submit', file, '--watch', '--tag', 'branch:cli'], { env: { COREBENCH_TOKEN: 's3cret' } })
  assert.equal(run.code, 0, run.err)
  const id = /^job (j_[0-9a-z]{19}): fibonacci/m.exec(run.out)?.[1]
  assert.ok(id !== undefined, run.out)
  // Not a terminal: one line per recorded run (2 cells × 3 repetitions), no bar drawing.
  for (const cell of ['serialized/1', 'threaded/1']) {
    for (const n of [1, 2, 3]) assert.match(run.out, new RegExp(`^${cell} run ${n}/3: [0-9.]+ ms wall`, 'm'))
  }
  assert.doesNotMatch(run.out, /\x1b\[/)
  // The summary table at the end.
  assert.match(run.out, new RegExp(`\\(${id}\\): finished`))
  assert.match(run.out, /^executor +workers +runs +median wall/m)
  assert.match(run.out, /^serialized +1 +3 +[0-9.]+ ms .* 1\.00× .*✓$/m)
  assert.match(run.out, /^threaded +1 +3 +[0-9.]+ ms /m)
  const job = (await app.inject(`/api/jobs/${id}`)).json()
  assert.equal(job.status, 'finished')
  assert.deepEqual(job.tags, { branch: 'cli' })
  // COREBENCH_TOKEN went with the submit, the stream's upgrade and the final read.
  for (const path of ['/api/jobs', `/api/jobs/${id}/stream`, `/api/jobs/${id}`]) {
    const req = seen.find(r => r.url === path)
    assert.equal(req?.authorization, 'Bearer s3cret', path)
  }

  const jobs = await cli(url, ['jobs'])
  assert.equal(jobs.code, 0, jobs.err)
  assert.match(jobs.out, /^id +status +workload +name +created +best speedup$/m)
  assert.match(jobs.out, new RegExp(`^${id} +finished +fibonacci +.*×`, 'm'))
  assert.match((await cli(url, ['jobs', '--tag', 'branch:cli', '--status', 'finished', '--limit', '5'])).out, new RegExp(id))
  const none = await cli(url, ['jobs', '--status', 'failed'])
  assert.equal(none.code, 0)
  assert.doesNotMatch(none.out, new RegExp(id))

  const csv = await cli(url, ['show', id, '--format', 'csv'])
  assert.equal(csv.code, 0, csv.err)
  const rows = csv.out.trimEnd().split('\n')
  // CSV always has the runtime column (a machine reads it); the md and table views add it only past Node.
  assert.match(rows[0] as string, /^runtime,executor,workers,runs,failed,median_wall_ms,/)
  assert.deepEqual(rows.slice(1).map(r => r.split(',').slice(0, 4).join(',')), ['node,serialized,1,3', 'node,threaded,1,3'])
  assert.equal(csv.out, (await app.inject(`/api/jobs/${id}/report?format=csv`)).body)

  const md = await cli(url, ['show', id])
  assert.match(md.out, /^\| executor \| workers \|/m)
  const json = JSON.parse((await cli(url, ['show', id, '--format', 'json'])).out)
  assert.equal(json.job.id, id)
})

test('runtimes: host and workloads list them; submit --runtime runs Python beside Node, and watch, show and compare name the runtime', { timeout: 120_000 }, async (t) => {
  const { app, url, dir } = await listening(t)
  const host = await cli(url, ['host'])
  assert.equal(host.code, 0, host.err)
  assert.match(host.out, /^runtime +available +version +GIL +workloads +interpreter, or why not$/m)
  assert.match(host.out, /^node +yes +[0-9.]+ /m)
  assert.match(host.out, /^python +yes +CPython 3\.\d+\.\d+ +on +\d+ +\S*python/m)
  assert.match(host.out, /^python-nogil +(yes|no) /m)

  const w = await cli(url, ['workloads'])
  assert.equal(w.code, 0, w.err)
  assert.match(w.out, /^workload +kind +params \(defaults\) +runtimes +description$/m)
  assert.match(w.out, /^fibonacci +cpu +n=30 repeat=1 +node,python,python-nogil\*? /m)
  assert.match(w.out, /^http-get +io +.* node +/m, 'a Node-only workload lists node alone')

  // Node and Python side by side, non-TTY: one line per run, keyed as the server keys cells.
  const spec = { workload: { id: 'fibonacci', params: { n: 15 } }, tasks: 2, executors: ['serialized', 'threaded'], workers: [1], repetitions: 1, warmup: 0 }
  const file = specFile(dir, 'py.json', spec)
  const run = await cli(url, ['submit', file, '--runtime', 'node,python', '--watch'])
  assert.equal(run.code, 0, run.out + run.err)
  const id = /^job (j_[0-9a-z]{19}): fibonacci \{"n":15,"repeat":1\} in node and python, 2 tasks, 4 cells/m.exec(run.out)?.[1]
  assert.ok(id !== undefined, run.out)
  for (const cell of ['serialized/1', 'threaded/1', 'python/serialized/1', 'python/threaded/1']) {
    assert.match(run.out, new RegExp(`^${cell} run 1/1: [0-9.]+ ms wall`, 'm'), cell)
  }
  // The summary: a runtime column; each runtime's serialized cell is its own 1.00× baseline.
  assert.match(run.out, /^runtime +executor +workers +runs +median wall/m)
  assert.match(run.out, /^node +serialized +1 +1 +.* 1\.00× .*✓$/m)
  assert.match(run.out, /^python +serialized +1 +1 +.* 1\.00× .*✓$/m)
  assert.match(run.out, /^python +threaded +1 +1 +[0-9.]+ ms /m)
  const job = (await app.inject(`/api/jobs/${id}`)).json()
  assert.deepEqual(job.spec.runtimes, ['node', 'python'])

  const show = await cli(url, ['show', id, '--format', 'table'])
  assert.match(show.out, /^python +threaded +1 +1 /m)
  const cmp = await cli(url, ['compare', id, id])
  assert.equal(cmp.code, 0, cmp.err)
  assert.match(cmp.out, /^runtime +cell +baseline +current /m)
  assert.match(cmp.out, /^python +threaded\/1 +[0-9.]+ ms +[0-9.]+ ms +\+0\.0 % /m)
  assert.match(cmp.out, /^node +threaded\/1 +/m)

  // On a terminal, --runtime repeated: one bar per runtime × cell.
  const tty = await cli(url, ['submit', specFile(dir, 'py-tty.json', { ...spec, executors: ['serialized'] }), '--runtime', 'python', '--runtime', 'node', '--watch'], { tty: true })
  assert.equal(tty.code, 0, tty.err)
  for (const cell of ['serialized/1', 'python/serialized/1']) assert.match(tty.out, new RegExp(`(^|[^/])${cell} +\\|[█░]+\\| 100% \\| runs 1/1 \\|`, 'm'), cell)

  // An id that is no runtime: a usage error before any request.
  const bad = await cli(url, ['submit', file, '--runtime', 'node,ruby'])
  assert.equal(bad.code, 2)
  oneLine(bad.err, /^corebench: --runtime "ruby" is not a runtime: use node, python, python-nogil .*\(EUSAGE\)$/)
})

test('submit without --watch prints only the id; a preset with overrides works', async (t) => {
  const { app, url, dir } = await listening(t)
  const file = specFile(dir, 'overrides.json', { workload: { id: 'fibonacci', params: { n: 12 } }, repetitions: 1, warmup: 0, executors: ['serialized'] })
  const run = await cli(url, ['submit', file, '--preset', 'gil-cpu', '--name', 'tiny'])
  assert.equal(run.code, 0, run.err)
  assert.match(run.out, /^j_[0-9a-z]{19}\n$/)
  const job = (await app.inject(`/api/jobs/${run.out.trim()}`)).json()
  assert.equal(job.name, 'tiny')
  assert.equal(job.spec.tasks, 8) // from the preset
  // Fewer than 3 repetitions: the API's warning goes to stderr, not into the id on stdout.
  assert.match(run.err, /^corebench: warning: /m)
})

test('submit --watch on a terminal draws one bar per cell', async (t) => {
  const { url, dir } = await listening(t)
  const run = await cli(url, ['submit', specFile(dir, 'spec.json', { ...quickSpec, executors: ['serialized', 'async'], repetitions: 1 }), '--watch'], { tty: true })
  assert.equal(run.code, 0, run.err)
  // One warm-up and one recorded run per cell, counted apart.
  for (const cell of ['serialized/1', 'async/1']) assert.match(run.out, new RegExp(`${cell} +\\|[█░]+\\| 100% \\| recorded 1/1, warm-up 1/1 \\|`))
  assert.doesNotMatch(run.out, /run 1\/1:/) // no per-run lines when there are bars
  assert.match(run.out, /^executor +workers/m)
})

test('submit --watch of a job that fails prints what it has and exits 2 with one line', async (t) => {
  const { url, dir } = await listening(t)
  // 6 repetitions: fewer would add a warning line on stderr (the cell fails at its first anyway).
  const spec = { workload: { id: 'sleep', params: { ms: 2000 } }, tasks: 1, executors: ['serialized'], repetitions: 6, warmup: 0, taskTimeoutMs: 100 }
  const run = await cli(url, ['submit', specFile(dir, 'failing.json', spec), '--watch'])
  assert.equal(run.code, 2, run.out + run.err)
  assert.match(run.out, /^serialized\/1 run 1\/6: FAILED .*COREBENCH_ERR_TASK_TIMEOUT/m)
  assert.match(run.out, /^executor +workers/m)
  oneLine(run.err, /^corebench: job j_\S+ failed: .*\(JOB_FAILED\)$/)
})

test('compare: a cell table with verdicts; --fail-on slower exits 1 only on a regression', async (t) => {
  const { app, url } = await listening(t)
  // Waits of 5 ms vs 100 ms per task, 7 repetitions each: a regression that load on the machine
  // cannot hide (CPU work can: fib(27) and fib(31) came out 750 and 633 ms at load 16, where the
  // busy-host noise is larger than the work). Timers only run late under load, never early; the
  // async cell's 8 concurrent waits add 95 ms to a run whose pool start-up swung ±30 ms at load 20.
  // No warm-up: every repetition is a fresh pool either way, and the three jobs are cold alike.
  const spec = (ms: number) => ({ workload: { id: 'sleep', params: { ms } }, tasks: 8, executors: ['serialized', 'async'], repetitions: 7, warmup: 0 })
  const base = await submit(app, spec(5))
  const again = await submit(app, spec(5))
  const slower = await submit(app, spec(100))
  for (const j of [base, again, slower]) assert.equal((await waitFor(app, j.id)).status, 'finished')

  // A job against itself: no change at all, 'same' under the default thresholds.
  const self = await cli(url, ['compare', base.id, base.id, '--fail-on', 'slower'])
  assert.equal(self.code, 0, self.out + self.err)
  assert.match(self.out, /^serialized\/1 +[0-9.]+ ms +[0-9.]+ ms +\+0\.0 % .* same$/m)
  assert.match(self.out, /^verdict: same$/m)

  // The same spec twice: the table's shape. Two jobs of one spec can differ for real (each job has
  // its own pools, and their placement and JIT state shift a whole job, see test/api/history.test.ts),
  // so the gate is set nearly out of reach here: this checks the output, not the verdict.
  const same = await cli(url, ['compare', again.id, base.id, '--fail-on', 'slower', '--min-change', '100', '--alpha', '0.000001'])
  assert.equal(same.code, 0, same.out + same.err)
  // On a loaded machine even ±100 % may not hold every interval: then the gate says it decided nothing.
  assert.match(same.err, /^(|corebench: NOTHING WAS DECIDED: .*\n)$/, same.out + same.err)
  assert.match(same.out, /^verdict: (same|inconclusive)$/m, same.out)
  assert.match(same.out, /^cell +baseline +current +change +95 % CI +p \(Welch\) +p \(M–W\) +verdict$/m)
  assert.match(same.out, /^serialized\/1 +[0-9.]+ ms +[0-9.]+ ms +[+-][0-9.]+ % /m)
  assert.match(same.out, /^verdict: /m)

  const regression = await cli(url, ['compare', slower.id, base.id, '--fail-on', 'slower'])
  assert.equal(regression.code, 1, regression.out + regression.err)
  for (const cell of ['serialized/1', 'async/1']) assert.match(regression.out, new RegExp(`^${cell} +.* \\+[0-9.]+ % .* slower$`, 'm'))
  assert.match(regression.out, /^verdict: slower$/m)
  assert.match(regression.out, /^note: the jobs measured different specs/m)
  oneLine(regression.err, new RegExp(`^corebench: 2 of 2 cells slower than baseline ${base.id}: serialized/1 \\+`))

  // Without the gate the same comparison exits 0; --json carries the API's answer.
  const noGate = await cli(url, ['compare', slower.id, base.id, '--json'])
  assert.equal(noGate.code, 0)
  assert.equal(JSON.parse(noGate.out).verdict, 'slower')
  // The thresholds reach the API in percent and come back in percent, and a 10× slowdown is still past 100 %.
  const strict = await cli(url, ['compare', slower.id, base.id, '--json', '--fail-on', 'slower', '--min-change', '100', '--alpha', '0.01'])
  assert.equal(strict.code, 1)
  assert.deepEqual({ ...JSON.parse(strict.out).thresholds, minRepetitions: undefined }, { minChange: 100, alpha: 0.01, minRepetitions: undefined })

  // --baseline: 404 until one is set for the spec, then it is used.
  const missing = await cli(url, ['compare', again.id, '--baseline'])
  assert.equal(missing.code, 2)
  oneLine(missing.err, /^corebench: baseline for spec [0-9a-f]{16} not found \(COREBENCH_ERR_NOT_FOUND\)$/)
  const put = await app.inject({ method: 'PUT', url: `/api/baselines/${(await app.inject(`/api/jobs/${base.id}`)).json().specHash}`, payload: { jobId: base.id } })
  assert.equal(put.statusCode, 200, put.body)
  const vsBaseline = await cli(url, ['compare', again.id, '--baseline', '--fail-on', 'slower', '--min-change', '100', '--alpha', '0.000001'])
  assert.equal(vsBaseline.code, 0, vsBaseline.err)
  assert.match(vsBaseline.out, new RegExp(`^${again.id} vs baseline ${base.id}$`, 'm'))

  // Usage errors are 2, never 1.
  oneLine((await cli(url, ['compare', again.id])).err, /^corebench: compare needs a BASELINE job id or --baseline \(EUSAGE\)$/)
  assert.equal((await cli(url, ['compare', again.id, base.id, '--baseline'])).code, 2)
  const badAlpha = await cli(url, ['compare', again.id, base.id, '--alpha', '2'])
  assert.equal(badAlpha.code, 2)
  oneLine(badAlpha.err, /^corebench: option '--alpha <a>' argument '2' is invalid\. expected a number above 0 up to 0\.5 \(EUSAGE\)$/)
})

test('API and usage errors: one line on stderr, exit 2', async (t) => {
  const { url, dir } = await listening(t)
  const notFound = await cli(url, ['show', 'j_0000000000000000000'])
  assert.equal(notFound.code, 2)
  assert.equal(notFound.out, '')
  oneLine(notFound.err, /^corebench: job j_0000000000000000000 not found \(COREBENCH_ERR_NOT_FOUND\)$/)

  const invalid = await cli(url, ['show', 'nope'])
  assert.equal(invalid.code, 2)
  oneLine(invalid.err, /^corebench: .*\(COREBENCH_ERR_VALIDATION\)$/)

  const badSpec = await cli(url, ['submit', specFile(dir, 'bad.json', { workload: { id: 'no-such-workload' } })])
  assert.equal(badSpec.code, 2)
  oneLine(badSpec.err, /^corebench: .*no-such-workload.*\(COREBENCH_ERR_VALIDATION\)$/)

  const noFile = await cli(url, ['submit', '/nonexistent/spec.json'])
  assert.equal(noFile.code, 2)
  oneLine(noFile.err, /^corebench: cannot read the spec file \/nonexistent\/spec.json: .*\(ENOENT\)$/)

  for (const args of [['job'], ['jobs', '--limit', '0'], ['show', 'x', '--format', 'xml'], ['submit'], ['show']]) {
    const r = await cli(url, args)
    assert.equal(r.code, 2, args.join(' '))
    oneLine(r.err, /^corebench: .* \(EUSAGE\)$/)
  }
  assert.match((await cli(url, ['job'])).err, /unknown command 'job'.*Did you mean jobs\?/)
  const help = await cli(url, ['--help'])
  assert.equal(help.code, 0)
  assert.match(help.out, /COREBENCH_URL/)
})

test('an unreachable COREBENCH_URL: one line naming it, exit 2', async () => {
  // A port that was free a moment ago: nothing listens there.
  const probe = createServer().listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const { port } = probe.address() as { port: number }
  await new Promise(resolve => probe.close(resolve))
  const url = `http://127.0.0.1:${port}`
  for (const args of [['jobs'], ['submit', '--preset', 'gil-cpu', '--watch']]) {
    const r = await cli(url, args)
    assert.equal(r.code, 2)
    assert.equal(r.out, '')
    oneLine(r.err, new RegExp(`^corebench: cannot reach the corebench server at ${url} \\(set COREBENCH_URL to its address\\): connection refused.*\\(ECONNREFUSED\\)$`))
  }
  const bad = await cli('not a url', ['jobs'])
  assert.equal(bad.code, 2)
  oneLine(bad.err, /^corebench: COREBENCH_URL is not a valid URL/)
})

test('bin/corebench.mjs: serve runs the server, other commands talk to it, SIGTERM stops it', async (t) => {
  const db = await tempDatabase(t)
  const serve = spawn(process.execPath, [bin, 'serve', '--port', '0', '--database-url', db.url], { env: { ...process.env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = once(serve, 'exit')
  t.after(() => { if (serve.exitCode === null) serve.kill('SIGKILL') })
  let log = ''
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      log += d.toString()
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(log)
      if (m !== null) resolve(m[1] as string)
    }
    serve.stdout.on('data', onData)
    serve.stderr.on('data', onData)
    void exited.then(() => { reject(new Error(`serve exited before listening:\n${log}`)) })
  })

  const run = async (args: string[]): Promise<Run> => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, COREBENCH_URL: url }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString() })
    child.stderr.on('data', (d: Buffer) => { err += d.toString() })
    const [code] = await once(child, 'exit') as [number]
    return { code, out, err }
  }
  const [presets, missing] = await Promise.all([run(['presets']), run(['show', 'j_0000000000000000000'])])
  assert.equal(presets.code, 0, presets.err)
  assert.match(presets.out, /^gil-cpu /m)
  assert.equal(missing.code, 2)
  oneLine(missing.err, /^corebench: job j_0000000000000000000 not found \(COREBENCH_ERR_NOT_FOUND\)$/)

  serve.kill('SIGTERM')
  const [code] = await exited
  assert.equal(code, 0, log)
})

test('token create/list/revoke work on the server\'s database; the printed token is what the API accepts', async (t) => {
  const { app, url, config, dir } = await listening(t)
  const db = ['--database-url', config.DATABASE_URL]
  const created = await cli(url, ['token', 'create', 'ci', ...db])
  assert.equal(created.code, 0, created.err)
  const token = created.out.trim()
  assert.match(token, /^cb_[\w-]{43}$/)
  assert.match(created.err, /shown this once/)

  assert.equal((await app.inject({ method: 'POST', url: '/api/jobs', payload: quickSpec })).statusCode, 401)
  const spec = specFile(dir, 'quick.json', quickSpec)
  const refused = await cli(url, ['submit', spec])
  assert.equal(refused.code, 2)
  oneLine(refused.err, /need an API token.*\(COREBENCH_ERR_UNAUTHORIZED\)/)
  const accepted = await cli(url, ['submit', spec], { env: { COREBENCH_TOKEN: token } })
  assert.equal(accepted.code, 0, accepted.err)

  const list = await cli(url, ['token', 'list', ...db])
  assert.match(list.out, /ci\s+t_\w+\s+\S+\s+active/)
  assert.doesNotMatch(list.out, new RegExp(token.slice(3, 20)))
  assert.equal((await cli(url, ['token', 'revoke', 'ci', ...db])).code, 0)
  const again = await cli(url, ['token', 'revoke', 'ci', ...db])
  assert.equal(again.code, 2)
  oneLine(again.err, /no active token named "ci"/)
  assert.equal((await cli(url, ['token', 'create', 'bad name', ...db])).code, 2)
})
