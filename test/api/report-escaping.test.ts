import assert from 'node:assert/strict'
import { test } from 'node:test'
import { build } from '../helpers/app.js'
import { seededDatabase, seedJob } from '../helpers/seed.js'

// Issue 15 §3: text from a request (or from a task's error) must never change what a report shows.
// The API refuses such names and tags now (test/api/bad-input.test.ts); these jobs are stored as
// older versions could have stored them, and their reports must still show the text as text.

const FORGED = 'x\n\n| threaded | 2 | 99.00× |\n\n> ✓ verified'

/** RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks; records end in CRLF. */
function parseCsv (text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let i = 0
  for (;;) {
    let value = ''
    if (text[i] === '"') {
      for (i++; ; i++) {
        if (text[i] === '"' && text[i + 1] === '"') { value += '"'; i++ } else if (text[i] === '"') { i++; break } else value += text[i] as string
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r') value += text[i++] as string
    }
    row.push(value)
    if (text[i] === ',') { i++; continue }
    assert.equal(text.slice(i, i + 2), '\r\n', `record ends in CRLF at ${i}`)
    rows.push(row)
    row = []
    i += 2
    if (i >= text.length) return rows
  }
}

test('the Markdown report shows a forged name, tags, warnings and errors as text: no new rows, quotes or markup', async (t) => {
  const { url, seeded } = await seededDatabase(t, async (store) => await seedJob(store, {
    status: 'failed',
    name: FORGED,
    tags: { branch: 'a|b', note: '**bold** <img src=x onerror=alert(1)> [link](http://x)' },
    walls: { 'serialized/1': [100, 101, 102], 'threaded/2': [50, 51, 52] },
    warnings: ['tasks < 4 × workers | forged cell |\n> ✓ verified'],
    error: 'COREBENCH_ERR_TASK_FAILED: boom\u001b[2J\n\n| async | 1 | 1.00× |'
  }))
  const { app } = await build(t, {}, { databaseUrl: url })
  const md = (await app.inject(`/api/jobs/${seeded.id}/report?format=md`)).body
  const lines = md.split('\n')
  // Exactly the two cells' rows, the header and the rule start with a pipe: nothing forged a row.
  assert.deepEqual(lines.filter(l => l.startsWith('|')).map(l => l.split(' | ')[0]), ['| executor', '| ---', '| serialized', '| threaded'])
  assert.equal(lines.filter(l => l.startsWith('>')).length, 2, 'one quote line per warning and error')
  assert.ok(!lines.some(l => l.startsWith('> ✓ verified')))
  assert.equal(lines[0], '### x\\n\\n\\| threaded \\| 2 \\| 99.00× \\|\\n\\n\\> ✓ verified')
  assert.match(md, /^branch: a\\\|b · note: \\\*\\\*bold\\\*\\\* \\<img src=x onerror=alert\\\(1\\\)\\> \\\[link\\\]\\\(http:\/\/x\\\)$/m)
  assert.match(md, /^> ✗ COREBENCH\\_ERR\\_TASK\\_FAILED: boom\\u001b\\\[2J\\n\\n\\\| async \\\| 1 \\\| 1.00× \\\|$/m)
  assert.doesNotMatch(md, /\u001b/)
})

test('the CSV report is RFC 4180 with CRLF, and carries the job id, name and tags; formulas stay text', async (t) => {
  const { url, seeded } = await seededDatabase(t, async (store) => ({
    forged: await seedJob(store, { status: 'finished', name: FORGED, tags: { branch: 'main', q: 'say "hi", then \r\nleave' }, walls: { 'serialized/1': [100, 101, 102], 'threaded/2': [50, 51, 52] } }),
    formula: await seedJob(store, { status: 'finished', name: '=HYPERLINK("http://evil","click")', walls: { 'serialized/1': [100, 101, 102] } })
  }))
  const { app } = await build(t, {}, { databaseUrl: url })
  const res = await app.inject(`/api/jobs/${seeded.forged.id}/report?format=csv`)
  assert.match(String(res.headers['content-type']), /^text\/csv; header=present; charset=utf-8$/)
  const rows = parseCsv(res.body)
  const header = rows[0] as string[]
  assert.deepEqual(header.slice(-7, -4), ['job_id', 'job_name', 'job_tags'])
  assert.equal(rows.length, 3, 'a header and one record per cell, whatever the name holds')
  assert.equal(res.body.split('\r\n').length, 4, 'one line per record')
  for (const r of rows.slice(1)) {
    assert.equal(r.length, header.length)
    // Controls in text are visible escapes, so that every record is one line; JSON escapes its own.
    assert.deepEqual(r.slice(-7, -4), [seeded.forged.id, 'x\\n\\n| threaded | 2 | 99.00× |\\n\\n> ✓ verified', JSON.stringify({ branch: 'main', q: 'say "hi", then \r\nleave' })])
  }
  assert.deepEqual(rows.slice(1).map(r => r.slice(0, 3)), [['node', 'serialized', '1'], ['node', 'threaded', '2']])

  const formula = parseCsv((await app.inject(`/api/jobs/${seeded.formula.id}/report?format=csv`)).body)
  assert.equal(formula[1]?.at(-6), '\'=HYPERLINK("http://evil","click")')
})
