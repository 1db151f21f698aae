import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { ConfigError, loadConfig } from '../src/config.js'

test('defaults fill every setting', () => {
  const c = loadConfig({})
  assert.equal(c.PORT, 3000)
  assert.equal(c.HOST, '127.0.0.1')
  assert.equal(c.DATABASE_URL, 'file:./data/corebench.db')
  assert.equal(c.MAX_TASKS, 10_000)
  assert.equal(c.QUEUE_LIMIT, 100)
})

test('values are converted from text', () => {
  const c = loadConfig({ PORT: '8080', REQUEUE_INTERRUPTED: 'true', LOG_LEVEL: 'debug' })
  assert.equal(c.PORT, 8080)
  assert.equal(c.REQUEUE_INTERRUPTED, true)
  assert.equal(c.LOG_LEVEL, 'debug')
})

for (const [name, value] of [['PORT', 'abc'], ['PORT', '70000'], ['LOG_LEVEL', 'loud'], ['DATABASE_URL', 'mysql://x'], ['MAX_TASKS', '0']]) {
  test(`a bad ${name}=${value} is refused with a message naming the variable`, () => {
    assert.throws(() => loadConfig({ [name]: value }), (err: Error) => {
      assert.ok(err instanceof ConfigError)
      assert.match(err.message, new RegExp(`^invalid environment variable ${name}=`))
      return true
    })
  })
}

test('the server refuses to start on a bad variable with one line and no stack trace', () => {
  const server = fileURLToPath(new URL('../src/server.ts', import.meta.url))
  const res = spawnSync(process.execPath, ['--import', 'tsx', server], { env: { ...process.env, PORT: 'abc' }, encoding: 'utf8', timeout: 30_000 })
  assert.equal(res.status, 1)
  const lines = res.stderr.trim().split('\n')
  assert.equal(lines.length, 1, res.stderr)
  assert.match(lines[0] as string, /^corebench: invalid environment variable PORT="abc"/)
})
