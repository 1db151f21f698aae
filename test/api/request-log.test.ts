import assert from 'node:assert/strict'
import { setTimeout as delay } from 'node:timers/promises'
import { test, type TestContext } from 'node:test'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { createToken } from '../../src/auth/manage.js'
import { buildApp, RequestLog } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { tempDatabase } from '../helpers/db.js'
import { quickSpec } from '../helpers/jobs.js'

interface Line { level: number, msg: string, reqId?: string, req?: { method: string, url: string }, res?: { statusCode: number }, responseTime?: number, tokenId?: string, err?: unknown }

function capture (level: string): { logger: pino.Logger, lines: Line[] } {
  const lines: Line[] = []
  return { lines, logger: pino({ level }, { write: (s: string) => { lines.push(JSON.parse(s)) } }) }
}

async function app (t: TestContext, level: string): Promise<{ app: FastifyInstance, lines: Line[] }> {
  const db = await tempDatabase(t)
  const config = loadConfig({ LOG_LEVEL: level, MAX_EVENT_LOOP_DELAY_MS: '60000', DATABASE_URL: db.url })
  const { logger, lines } = capture(level)
  const built = await buildApp({ config, logger })
  t.after(async () => { await built.close() })
  return { app: built, lines }
}

const of = (lines: Line[], id: unknown): Line[] => lines.filter(l => l.reqId === id)

test('at info a plain read writes no line; writes, refusals and errors write one with method, url, status and time', async (t) => {
  const { app: a, lines } = await app(t, 'info')
  a.get('/boom', async () => { throw new Error('kaput') })
  const { token, record } = await createToken(a.store, 'ci')
  await a.ready()

  const read = await a.inject('/api/health')
  assert.equal(read.statusCode, 200)
  assert.deepEqual(of(lines, read.headers['x-request-id']), [], 'nothing for a successful read')

  const write = await a.inject({ method: 'POST', url: '/api/jobs', payload: quickSpec, headers: { authorization: `Bearer ${token}` } })
  assert.equal(write.statusCode, 202)
  const [done, ...more] = of(lines, write.headers['x-request-id'])
  assert.deepEqual(more, [], 'one line per write')
  assert.equal(done.msg, 'request completed')
  assert.equal(done.level, 30)
  assert.deepEqual([done.req?.method, done.req?.url, done.res?.statusCode, done.tokenId], ['POST', '/api/jobs', 202, record.id])
  assert.equal(typeof done.responseTime, 'number')
  assert.doesNotMatch(JSON.stringify(lines), new RegExp(token), 'the secret never reaches a log line')

  const refused = await a.inject({ method: 'POST', url: '/api/jobs', payload: quickSpec })
  assert.equal(refused.statusCode, 401)
  const refusal = of(lines, refused.headers['x-request-id'])
  assert.deepEqual(refusal.map(l => [l.level, l.msg]), [[30, 'request refused'], [30, 'request completed']])
  assert.equal(refusal[1].res?.statusCode, 401)
  assert.match(String((refusal[0] as { reason?: string }).reason), /need an API token/)

  const missing = await a.inject('/api/nope')
  assert.equal(missing.statusCode, 404)
  assert.deepEqual(of(lines, missing.headers['x-request-id']).map(l => [l.msg, l.req?.url, l.res?.statusCode]), [['request completed', '/api/nope', 404]])

  const failed = await a.inject('/boom')
  assert.equal(failed.statusCode, 500)
  const failure = of(lines, failed.headers['x-request-id'])
  assert.deepEqual(failure.map(l => [l.level, l.msg]), [[50, 'request failed'], [30, 'request completed']])
  assert.match(JSON.stringify(failure[0].err), /kaput/, 'the error and its stack are in the log, not in the response')
})

test('at debug every request is logged, reads included', async (t) => {
  const { app: a, lines } = await app(t, 'debug')
  await a.ready()
  const read = await a.inject('/api/health')
  assert.deepEqual(of(lines, read.headers['x-request-id']).map(l => [l.level, l.msg]), [[20, 'incoming request'], [20, 'request completed']])
})

test('a slow request is logged at warn, whatever its method and status', async (t) => {
  const { logger, lines } = capture('info')
  const a = Fastify({ loggerInstance: logger as FastifyBaseLogger, logController: new RequestLog(30) })
  t.after(async () => { await a.close() })
  a.get('/slow', async () => { await delay(60); return {} })
  a.get('/fast', async () => ({}))
  await a.inject('/fast')
  assert.equal(lines.length, 0)
  await a.inject('/slow')
  assert.equal(lines.length, 1)
  assert.deepEqual([lines[0].level, lines[0].msg, lines[0].req?.url], [40, 'slow request', '/slow'])
  assert.ok((lines[0].responseTime ?? 0) >= 30)
})
