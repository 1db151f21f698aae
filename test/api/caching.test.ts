import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { createToken } from '../../src/auth/manage.js'
import { build } from '../helpers/app.js'
import { slowSpec } from '../helpers/jobs.js'

/** A job that has ended (cancelled at once: final, like a finished one) and its first 200. */
async function endedJob (t: TestContext, env: Record<string, string> = {}): Promise<{ app: FastifyInstance, url: string, etag: string, lastModified: string, auth: Record<string, string> }> {
  const { app } = await build(t, env, { ready: false })
  const { token } = await createToken(app.store, 'ci')
  await app.ready()
  const auth = { authorization: `Bearer ${token}` }
  const { id } = (await app.inject({ method: 'POST', url: '/api/jobs', payload: slowSpec, headers: auth })).json()
  await app.inject({ method: 'POST', url: `/api/jobs/${id}/cancel`, headers: auth })
  const url = `/api/jobs/${id}`
  let res = await app.inject({ url, headers: auth })
  while (res.json().status !== 'cancelled') {
    await new Promise(resolve => setTimeout(resolve, 50))
    res = await app.inject({ url, headers: auth })
  }
  return { app, url, etag: String(res.headers.etag), lastModified: String(res.headers['last-modified']), auth }
}

test('If-None-Match in every form (RFC 9110 §13.1.2): strong, weak, lists, *; a mismatch gets the 200', async (t) => {
  const { app, url, etag } = await endedJob(t)
  const status = async (inm: string): Promise<number> => (await app.inject({ url, headers: { 'if-none-match': inm } })).statusCode
  assert.equal(await status(etag), 304, 'the exact tag')
  assert.equal(await status(`W/${etag}`), 304, 'weak comparison: W/ is ignored for GET')
  assert.equal(await status(`"nope", ${etag}`), 304, 'a list containing the tag')
  assert.equal(await status(`"nope",W/${etag} , "other"`), 304, 'a list with odd spacing and a weak member')
  assert.equal(await status('*'), 304, '* matches any current representation')
  assert.equal(await status('"nope", "other"'), 200, 'a list without it')
  assert.equal(await status(etag.slice(0, -2) + '"'), 200, 'a different tag')
  assert.equal(await status('garbage'), 200, 'a malformed value')
  assert.equal((await app.inject({ url: `/api/jobs/j_${'0'.repeat(19)}`, headers: { 'if-none-match': '*' } })).statusCode, 404, '* does not match a missing resource')
})

test('If-Modified-Since where Last-Modified is sent; ignored when If-None-Match is present or the date is invalid', async (t) => {
  const { app, url, etag, lastModified, auth } = await endedJob(t)
  assert.match(lastModified, /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/)
  const at = Date.parse(lastModified)
  const status = async (headers: Record<string, string>): Promise<number> => (await app.inject({ url, headers })).statusCode
  assert.equal(await status({ 'if-modified-since': lastModified }), 304, 'the same date')
  assert.equal(await status({ 'if-modified-since': new Date(at + 60_000).toUTCString() }), 304, 'a later date')
  assert.equal(await status({ 'if-modified-since': new Date(at - 60_000).toUTCString() }), 200, 'an earlier date')
  assert.equal(await status({ 'if-modified-since': 'yesterday' }), 200, 'an invalid date is ignored')
  assert.equal(await status({ 'if-modified-since': lastModified, 'if-none-match': '"nope"' }), 200, 'If-None-Match takes precedence')
  assert.equal(await status({ 'if-modified-since': new Date(at - 60_000).toUTCString(), 'if-none-match': etag }), 304)

  // A job still queued or running has no Last-Modified, so the header is not evaluated.
  const live = (await app.inject({ method: 'POST', url: '/api/jobs', payload: slowSpec, headers: auth })).json()
  const liveRes = await app.inject({ url: `/api/jobs/${live.id}`, headers: { 'if-modified-since': new Date(Date.now() + 3600_000).toUTCString() } })
  assert.equal(liveRes.statusCode, 200)
  assert.equal(liveRes.headers['last-modified'], undefined)
  assert.equal(liveRes.headers['cache-control'], 'no-cache')
  await app.inject({ method: 'POST', url: `/api/jobs/${live.id}/cancel`, headers: auth })
})

test('a 304 carries the validators and Cache-Control of the 200 and no body; HEAD answers the same without one', async (t) => {
  const { app, url, etag, lastModified } = await endedJob(t)
  const ok = await app.inject(url)
  const notModified = await app.inject({ url, headers: { 'if-none-match': `W/${etag}` } })
  assert.equal(notModified.statusCode, 304)
  assert.equal(notModified.body, '')
  for (const h of ['etag', 'last-modified', 'cache-control']) assert.equal(notModified.headers[h], ok.headers[h], h)
  assert.equal(notModified.headers['content-type'], undefined)
  assert.equal(ok.headers['cache-control'], 'public, max-age=3600, immutable')

  const head = await app.inject({ method: 'HEAD', url })
  assert.equal(head.statusCode, 200)
  assert.equal(head.body, '')
  for (const h of ['etag', 'last-modified', 'cache-control', 'content-type']) assert.equal(head.headers[h], ok.headers[h], h)
  const headNotModified = await app.inject({ method: 'HEAD', url, headers: { 'if-modified-since': lastModified } })
  assert.equal(headNotModified.statusCode, 304)
  assert.equal(headNotModified.body, '')
})

test('token-protected reads are never stored by a shared cache: private, Vary: Authorization, on 200 and 304 alike', async (t) => {
  const { app, url, etag, auth } = await endedJob(t, { READS_REQUIRE_TOKEN: 'true' })
  const ok = await app.inject({ url, headers: auth })
  const notModified = await app.inject({ url, headers: { ...auth, 'if-none-match': etag } })
  assert.equal(ok.statusCode, 200)
  assert.equal(notModified.statusCode, 304)
  for (const res of [ok, notModified]) {
    assert.equal(res.headers['cache-control'], 'private, max-age=3600, immutable')
    assert.match(String(res.headers.vary), /\bauthorization\b/i)
  }
  for (const path of ['/api/jobs', '/api/workloads', '/metrics']) {
    const res = await app.inject({ url: path, headers: auth })
    assert.equal(res.statusCode, 200, path)
    assert.match(String(res.headers['cache-control']), /^private\b/, path)
    assert.doesNotMatch(String(res.headers['cache-control']), /public/, path)
    assert.match(String(res.headers.vary), /\bauthorization\b/i, path)
  }
  // Public reads (health) keep what they had.
  assert.equal((await app.inject('/api/health')).headers.vary, undefined)
})
