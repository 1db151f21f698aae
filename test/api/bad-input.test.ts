import assert from 'node:assert/strict'
import { test } from 'node:test'
import { build } from '../helpers/app.js'

const valid = { workload: { id: 'fibonacci', params: { n: 20 } }, tasks: 4, executors: ['serialized'], repetitions: 1, warmup: 0 }
const deep = (levels: number): string => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels)
/** Issue 20 §7: 4 500 levels of arrays (9 KB) where a string, an array or an object belongs. */
const nested = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels)
const deepIn = (field: string): string => {
  const path = field.split('.')
  return path.reduceRight((acc, key) => `{${JSON.stringify(key)}:${acc}}`, nested(4500))
}

interface Case {
  name: string
  body?: unknown
  raw?: string
  contentType?: string
  status: number
  code: string
  message: RegExp
}

// Every one of these must be refused with a 4xx that names the field, the value and the limit.
const cases: Case[] = [
  { name: 'not JSON', raw: '{"workload": ', status: 400, code: 'COREBENCH_ERR_INVALID_JSON', message: /not valid JSON/ },
  { name: 'empty body', raw: '', status: 400, code: 'COREBENCH_ERR_INVALID_JSON', message: /empty/ },
  { name: 'wrong content type', raw: 'workload=fibonacci', contentType: 'application/x-www-form-urlencoded', status: 415, code: 'COREBENCH_ERR_UNSUPPORTED_MEDIA_TYPE', message: /application\/x-www-form-urlencoded.*application\/json/ },
  { name: 'body over 1 MB', raw: JSON.stringify({ ...valid, name: 'x'.repeat(1_100_000) }), status: 413, code: 'COREBENCH_ERR_BODY_TOO_LARGE', message: /1048576 bytes/ },
  { name: 'a JSON array', body: [valid], status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /body.*must be object/ },
  { name: '__proto__ key', raw: '{"workload":{"id":"fibonacci"},"__proto__":{"polluted":true}}', status: 400, code: 'COREBENCH_ERR_INVALID_JSON', message: /prototype/ },
  { name: 'constructor.prototype key', raw: '{"workload":{"id":"fibonacci","params":{"constructor":{"prototype":{"x":1}}}}}', status: 400, code: 'COREBENCH_ERR_INVALID_JSON', message: /prototype/ },
  { name: 'unknown top-level field', body: { ...valid, speed: 'max' }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^speed: unknown field$/ },
  { name: 'missing workload', body: { tasks: 4 }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^workload: is required/ },
  { name: 'unknown workload', body: { ...valid, workload: { id: 'bitcoin-miner' } }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /workload\.id: unknown workload "bitcoin-miner"; expected one of fibonacci/ },
  { name: 'unknown preset', body: { preset: 'nope' }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /preset: unknown preset "nope"; expected one of gil-cpu/ },
  { name: 'unknown executor', body: { ...valid, executors: ['gpu'] }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^executors\.0: "gpu"/ },
  { name: 'duplicate executors', body: { ...valid, executors: ['serialized', 'serialized'] }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^executors.*duplicate/ },
  { name: 'param above its maximum', body: { ...valid, workload: { id: 'fibonacci', params: { n: 45 } } }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^params\.n: 45 is above the maximum 40$/ },
  { name: 'param of the wrong type', body: { ...valid, workload: { id: 'fibonacci', params: { n: '30' } } }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^params\.n: expected integer, got "30"$/ },
  { name: 'unknown param', body: { ...valid, workload: { id: 'fibonacci', params: { m: 1 } } }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^params\.m: unknown parameter/ },
  { name: 'deeply nested params', raw: JSON.stringify({ ...valid, workload: { id: 'fibonacci', params: '__DEEP__' } }).replace('"__DEEP__"', deep(50_000)), status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^workload\.params\.a\.a…: nested deeper than 32 levels \(limit 32\)$/ },
  // Refused before anything recurses over the value: each used to overflow the stack (a 500).
  ...['name', 'tags', 'workers', 'workload.id', 'preset', 'speed', 'tags.branch'].map((field): Case => ({
    name: `4 500 levels of nesting in ${field}`, raw: deepIn(field), status: 400, code: 'COREBENCH_ERR_VALIDATION', message: new RegExp(`^${field.replace('.', '\\.')}: nested deeper than 32 levels \\(limit 32\\)$`)
  })),
  { name: 'nesting at the top level', raw: nested(100), status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^body: nested deeper than 32 levels/ },
  { name: 'a hostile key on the way down', raw: `{"x\\u001b[2J\\n":${nested(100)}}`, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^"x\\u001b\[2J\\n": nested deeper/ },
  // Issue 15 §3: text from a request must never change what a report or a terminal shows.
  { name: 'a name that forges report lines', body: { ...valid, name: 'x\n\n| threaded | 2 | 99.00× |\n\n> ✓ verified' }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^name: "x\\n\\n\| threaded .* must be one line of plain text: no control characters/ },
  { name: 'a name with a terminal escape', body: { ...valid, name: 'ok\u001b[2J\u001b]0;pwned\u0007' }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^name: "ok\\u001b\[2J.* must be one line of plain text/ },
  { name: 'a name with a C1 control', body: { ...valid, name: 'ok\u009b2J' }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^name: "ok\\u009b2J" must be one line/ },
  { name: 'a name with a bidirectional override', body: { ...valid, name: 'abc\u202edcba' }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^name: "abc\\u202edcba" must be one line/ },
  { name: 'a name with a line separator', body: { ...valid, name: 'a\u2028b' }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^name: "a\\u2028b" must be one line/ },
  { name: 'a tag value with a newline', body: { ...valid, tags: { branch: 'main\n> ✓ verified' } }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^tags\.branch: "main\\n.* must be one line of plain text/ },
  { name: 'a tag value with a carriage return', body: { ...valid, tags: { branch: 'evil\rmain' } }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^tags\.branch: "evil\\rmain" must be one line/ },
  { name: 'a tag value with a tab', body: { ...valid, tags: { commit: 'a\tb' } }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^tags\.commit: "a\\tb" must be one line/ },
  { name: 'a workload id with an escape', body: { ...valid, workload: { id: 'fib\u001b[31m' } }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^workload\.id: "fib\\u001b\[31m" must be one line/ },
  { name: 'a preset with a newline', body: { preset: 'gil-cpu\nx' }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^preset: "gil-cpu\\nx" must be one line/ },
  { name: 'zero tasks', body: { ...valid, tasks: 0 }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^tasks: 0 must be >= 1 \(limit 1\)$/ },
  { name: 'negative tasks', body: { ...valid, tasks: -5 }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^tasks: -5 must be >= 1/ },
  { name: 'fractional tasks', body: { ...valid, tasks: 2.5 }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^tasks: 2.5 must be integer$/ },
  { name: 'tasks as a string', body: { ...valid, tasks: '4' }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^tasks: "4" must be integer$/ },
  { name: 'tasks above the cap', body: { ...valid, tasks: 20_000 }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^tasks: 20000 is above the limit 10000$/ },
  { name: 'workers above the per-core cap', body: { ...valid, executors: ['threaded'], workers: [1, 1000] }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^workers: 1000 is above the limit \d+ \(the smaller of MAX_WORKERS 256 and MAX_WORKERS_PER_CORE 4 × \d+ cores\)$/ },
  { name: 'a huge workers array', body: { ...valid, workers: Array.from({ length: 5000 }, (_, i) => i + 1) }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^workers: .* must NOT have more than 32 items \(limit 32\)$/ },
  { name: 'repetitions above the cap', body: { ...valid, repetitions: 51 }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^repetitions: 51 is above the limit 50$/ },
  { name: 'warm-up above the cap', body: { ...valid, warmup: 11 }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^warmup: 11 is above the limit 10$/ },
  { name: 'task timeout below the minimum', body: { ...valid, taskTimeoutMs: 5 }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^taskTimeoutMs: 5 must be >= 100/ },
  { name: 'task timeout above the cap', body: { ...valid, taskTimeoutMs: 3_600_000 }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^taskTimeoutMs: 3600000 is above the limit 600000$/ },
  { name: 'a tag key with spaces', body: { ...valid, tags: { 'my branch': 'x' } }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^tags/ },
  { name: 'too many tags', body: { ...valid, tags: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'v'])) }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^tags.*more than 32 properties \(limit 32\)$/ },
  { name: 'a name too long', body: { ...valid, name: 'n'.repeat(500) }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^name: .* must NOT have more than 200 characters \(limit 200\)$/ },
  { name: 'a shared counter that would wrap', body: { ...valid, workload: { id: 'shared-counter', params: { n: 100_000_000 } }, tasks: 100 }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^tasks × params\.n: 10000000000 is above the limit 2147483647/ },
  { name: 'waits beyond the job budget', body: { workload: { id: 'sleep', params: { ms: 60_000 } }, tasks: 1000, executors: ['serialized'], repetitions: 1, warmup: 0, taskTimeoutMs: 120_000 }, status: 400, code: 'COREBENCH_ERR_VALIDATION', message: /^job budget: the waits alone take at least 60000000 ms, above the limit MAX_JOB_BUDGET_MS 1800000$/ }
]

test('hostile and malformed specs are refused with a clear 4xx; none creates a job; the server keeps serving', async (t) => {
  const { app } = await build(t)
  for (const c of cases) {
    const res = await app.inject({
      method: 'POST',
      url: '/api/jobs',
      headers: { 'content-type': c.contentType ?? 'application/json' },
      payload: c.raw ?? JSON.stringify(c.body)
    })
    assert.equal(res.statusCode, c.status, `${c.name}: ${res.body.slice(0, 300)}`)
    const body = res.json()
    const validation = c.code === 'COREBENCH_ERR_VALIDATION'
    assert.deepEqual(Object.keys(body).sort(), ['code', ...(validation ? ['details'] : []), 'error', 'message', 'statusCode'], c.name)
    assert.equal(body.code, c.code, `${c.name}: ${body.message}`)
    // A validation error's details say the same as its message, field by field.
    if (validation) assert.equal(body.details.map((d: { message: string }) => d.message).join('; '), body.message, c.name)
    assert.match(body.message, c.message, c.name)
    assert.doesNotMatch(res.body, /\bat .*\.(ts|js):\d+/, `${c.name}: no stack trace`)
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution')
  assert.deepEqual((await app.inject('/api/jobs')).json().items, [], 'no job was created')
  assert.equal((await app.inject('/api/health')).statusCode, 200)
  // And a valid spec right after is still accepted.
  assert.equal((await app.inject({ method: 'POST', url: '/api/jobs', payload: valid })).statusCode, 202)
})

test('bad ids and query strings are 4xx too', async (t) => {
  const { app } = await build(t)
  const cases: Array<[string, string, number]> = [
    ['GET', '/api/jobs/not-an-id', 400],
    ['GET', '/api/jobs/j_0000000000000000000', 404],
    ['POST', '/api/jobs/j_0000000000000000000/cancel', 404],
    ['DELETE', '/api/jobs/j_0000000000000000000', 404],
    ['GET', '/api/jobs?status=sleeping', 400],
    ['GET', '/api/jobs?limit=0', 400],
    ['GET', '/api/jobs?tag=nocolon', 400],
    ['GET', '/api/jobs?tag=branch:main%0Ax', 400],
    ['GET', '/api/jobs?tag=branch:%1B%5B2J', 400],
    ['GET', '/api/history?specHash=0123456789abcdef&executor=serialized&tag=b:%E2%80%AE', 400],
    ['GET', '/api/jobs?unknown=1', 400],
    ['GET', '/api/loopback/delay?ms=999999', 400]
  ]
  for (const [method, url, status] of cases) {
    const res = await app.inject({ method: method as 'GET', url })
    assert.equal(res.statusCode, status, `${method} ${url}: ${res.body}`)
    assert.match(res.json().code, /^COREBENCH_ERR_/)
  }
})

test('a validation error lists each refused field with the value given and the limit it broke', async (t) => {
  const { app, config } = await build(t)
  const refuse = async (body: unknown): Promise<unknown[]> => {
    const res = await app.inject({ method: 'POST', url: '/api/jobs', payload: body as object })
    assert.equal(res.statusCode, 400, res.body)
    return res.json().details
  }
  // From the request schema, the workload's own params schema, and the configured caps.
  assert.deepEqual(await refuse({ ...valid, tasks: 0 }), [{ field: 'tasks', value: 0, limit: 1, message: 'tasks: 0 must be >= 1 (limit 1)' }])
  assert.deepEqual(await refuse({ ...valid, workload: { id: 'fibonacci', params: { n: 45 } } }), [{ field: 'workload.params.n', value: 45, limit: 40, message: 'params.n: 45 is above the maximum 40' }])
  const many = config.MAX_TASKS + 1
  assert.deepEqual(await refuse({ ...valid, tasks: many }), [{ field: 'tasks', value: many, limit: config.MAX_TASKS, message: `tasks: ${many} is above the limit ${config.MAX_TASKS}` }])
  assert.deepEqual(await refuse({ ...valid, speed: 'max' }), [{ field: 'speed', limit: null, message: 'speed: unknown field' }])
})

test('GET /api/spec/defaults is what a spec that leaves every field out gets', async (t) => {
  const { app, config } = await build(t)
  const defaults = (await app.inject('/api/spec/defaults')).json()
  assert.equal(defaults.limits.tasks, config.MAX_TASKS)
  assert.equal(defaults.limits.repetitions, config.MAX_REPETITIONS)
  assert.equal(defaults.taskTimeoutMs, config.DEFAULT_TASK_TIMEOUT_MS)
  const accepted = await app.inject({ method: 'POST', url: '/api/jobs', payload: { workload: { id: 'fibonacci', params: { n: 20 } } } })
  assert.equal(accepted.statusCode, 202, accepted.body)
  await app.inject({ method: 'POST', url: `/api/jobs/${accepted.json().id as string}/cancel` })
  const spec = (await app.inject(`/api/jobs/${accepted.json().id as string}`)).json().spec
  const { limits, ...filled } = defaults
  assert.ok(limits.workers >= Math.max(...filled.workers as number[]))
  for (const [field, value] of Object.entries(filled)) assert.deepEqual(spec[field], value, field)
})
