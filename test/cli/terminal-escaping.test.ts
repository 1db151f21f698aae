import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer } from 'node:http'
import { test } from 'node:test'
import { cli, listening, oneLine } from '../helpers/cli.js'
import { seededDatabase, seedJob } from '../helpers/seed.js'

// Issue 15 §3, the terminal: nothing the server sends (names, tags, errors, warnings, API error
// messages) may reach the terminal as a control sequence or as a line of its own. Such text is
// refused at submit now, so these jobs are stored as older versions (or a task's error) left them.

const ESC = '\u001b'
const HOSTILE = `evil${ESC}[2J${ESC}]0;pwned\u0007\r\n✓ verified\u009b31m\u202Egnp.exe`
/** Nothing that a terminal obeys rather than shows: ESC, BEL, CR, C1, bidirectional overrides. */
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

test('jobs, show (every format) and compare print server text as text: no control sequence, no forged line', async (t) => {
  const { url: databaseUrl, seeded } = await seededDatabase(t, async (store) => ({
    a: await seedJob(store, { status: 'failed', name: HOSTILE, tags: { branch: HOSTILE }, walls: { 'serialized/1': [100, 101, 102] }, warnings: [HOSTILE], error: HOSTILE }),
    b: await seedJob(store, { status: 'finished', name: 'plain', walls: { 'serialized/1': [100, 101, 102] } })
  }))
  const { url } = await listening(t, {}, { databaseUrl })
  const runs = {
    jobs: await cli(url, ['jobs']),
    jobsJson: await cli(url, ['jobs', '--json']),
    table: await cli(url, ['show', seeded.a.id, '--format', 'table']),
    md: await cli(url, ['show', seeded.a.id, '--format', 'md']),
    csv: await cli(url, ['show', seeded.a.id, '--format', 'csv']),
    json: await cli(url, ['show', seeded.a.id, '--format', 'json']),
    compare: await cli(url, ['compare', seeded.a.id, seeded.b.id]),
    compareJson: await cli(url, ['compare', seeded.a.id, seeded.b.id, '--json'])
  }
  for (const [name, r] of Object.entries(runs)) {
    // CRLF only as the CSV's own record ends.
    assert.doesNotMatch((r.out + r.err).replaceAll('\r\n', '\n'), CONTROLS, `${name}: ${JSON.stringify(r.out + r.err)}`)
    assert.doesNotMatch(r.out + r.err, /^✓ verified/m, `${name} forged no line`)
  }
  // The table keeps one line per job, the name shown with its escapes.
  const rows = runs.jobs.out.trimEnd().split('\n')
  assert.equal(rows.length, 4, JSON.stringify(runs.jobs))
  assert.match(runs.jobs.out, /evil\\u001b\[2J/)
  assert.match(runs.table.out, /^evil\\u001b\[2J\\u001b\]0;pwned\\u0007\\r\\n✓ verified\\u009b31m\\u202egnp\.exe \(j_\S+\): failed$/m)
  assert.match(runs.table.out, /^warning: evil\\u001b/m)
  assert.match(runs.table.out, /^error: evil\\u001b/m)
  // JSON stays JSON that gives back the stored text.
  assert.equal(JSON.parse(runs.jobsJson.out).items.find((j: { id: string }) => j.id === seeded.a.id).name, HOSTILE)
  assert.equal(JSON.parse(runs.json.out).job.name, HOSTILE)
  // CSV keeps its CRLF record ends (the report's own), only the name's controls are escaped.
  assert.match(runs.csv.out, /\r\n$/)
  assert.equal(runs.compare.code, 2)
})

test('an API error message with control characters is printed as one plain line', async (t) => {
  // The API's error shape, and an answer that is not even JSON (a proxy, another service).
  const bodies = [
    JSON.stringify({ statusCode: 400, code: `COREBENCH_ERR_X${ESC}[31m`, message: `bad ${ESC}[2Jthing\r\nverdict: same \u202e` }),
    `oops ${ESC}[2J\u009b1m\rverdict: same`
  ]
  const server = createServer((req, res) => {
    res.writeHead(400, { 'content-type': 'application/json' })
    res.end(bodies[req.url?.includes('j_0000000000000000001') === true ? 1 : 0])
  }).listen(0, '127.0.0.1')
  t.after(() => { server.close() })
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  const api = await cli(`http://127.0.0.1:${port}`, ['show', 'j_0000000000000000000'])
  assert.equal(api.code, 2)
  oneLine(api.err, /^corebench: bad \\u001b\[2Jthing\\r\\nverdict: same \\u202e \(COREBENCH_ERR_X\\u001b\[31m\)$/)
  const other = await cli(`http://127.0.0.1:${port}`, ['show', 'j_0000000000000000001'])
  assert.equal(other.code, 2)
  oneLine(other.err, /^corebench: the server answered 400 Bad Request: oops \\u001b\[2J\\u009b1m\\rverdict: same \(HTTP 400\)$/)
  for (const r of [api, other]) assert.doesNotMatch(r.err, CONTROLS)
})
