import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { test } from 'node:test'
import { build } from '../helpers/app.js'
import { quickSpec, submit, waitFor } from '../helpers/jobs.js'

test('a finished job is served from memory: the same bytes and ETag every time, and a bodyless 304', async (t) => {
  const { app } = await build(t)
  const { id } = await submit(app, quickSpec)
  // The poll that sees the job finished builds its view from the store (and caches it).
  const built = await waitFor(app, id)
  assert.equal(built.status, 'finished')

  // From here on the store is never asked: a finished job does not change.
  app.store.getJob = async () => { throw new Error('the store was read for a cached view') }
  app.store.listRuns = async () => { throw new Error('the store was read for a cached view') }
  const first = await app.inject(`/api/jobs/${id}`)
  const second = await app.inject(`/api/jobs/${id}`)
  for (const res of [first, second]) {
    assert.equal(res.statusCode, 200, res.body)
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8')
    assert.equal(Number(res.headers['content-length']), Buffer.byteLength(res.body))
    assert.equal(res.headers['cache-control'], 'public, max-age=3600, immutable')
  }
  assert.deepEqual(first.json(), built, 'the cached view is the one built from the store')
  assert.equal(second.body, first.body)
  assert.equal(second.headers.etag, first.headers.etag)
  // A strong validator: the hash of exactly the bytes sent.
  assert.equal(first.headers.etag, `"${createHash('sha1').update(first.rawPayload).digest('base64url')}"`)

  const notModified = await app.inject({ url: `/api/jobs/${id}`, headers: { 'if-none-match': String(first.headers.etag) } })
  assert.equal(notModified.statusCode, 304)
  assert.equal(notModified.body, '')
  assert.equal(notModified.headers.etag, first.headers.etag)
  assert.equal(notModified.headers['cache-control'], 'public, max-age=3600, immutable')
  assert.equal(notModified.headers['content-type'], undefined)
  assert.equal(notModified.headers['content-length'], undefined)

  const head = await app.inject({ method: 'HEAD', url: `/api/jobs/${id}` })
  assert.equal(head.statusCode, 200)
  assert.equal(head.headers.etag, first.headers.etag)
  assert.equal(head.body, '')
})
