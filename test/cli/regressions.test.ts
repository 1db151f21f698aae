import assert from 'node:assert/strict'
import { test } from 'node:test'
import { cli, listening, oneLine } from '../helpers/cli.js'
import { levels, seedHistory } from '../helpers/history.js'
import { seededDatabase } from '../helpers/seed.js'

test('regressions lists change points per spec and cell; --fail-on slower trips on a slowdown, not on a speed-up; --since filters', { timeout: 120_000 }, async (t) => {
  const { url: databaseUrl, seeded } = await seededDatabase(t, async store => ({
    slower: await seedHistory(store, levels([8, 100], [8, 130]), { name: 'got slower' }),
    faster: await seedHistory(store, levels([8, 200], [8, 150]), { name: 'got faster', workload: 'fibonacci' })
  }))
  const { url } = await listening(t, {}, { databaseUrl })
  const slowJob = seeded.slower[8]?.id as string
  const fastJob = seeded.faster[8]?.id as string

  const list = await cli(url, ['regressions'])
  assert.equal(list.code, 0, list.err)
  assert.match(list.out, /^spec +cell +first job after +created +before +after +change +p +verdict$/m)
  // Both cells of each spec moved: serialized/1 and threaded/2 (half the wall) per spec.
  for (const cell of ['serialized/1', 'threaded/2']) {
    assert.match(list.out, new RegExp(`got slower +${cell} +${slowJob} .* \\+(29|3\\d)\\.\\d % +0\\.00\\d +slower$`, 'm'))
    assert.match(list.out, new RegExp(`got faster +${cell} +${fastJob} .* -2\\d\\.\\d % +0\\.00\\d +faster$`, 'm'))
  }

  const gate = await cli(url, ['regressions', '--fail-on', 'slower'])
  assert.equal(gate.code, 1)
  oneLine(gate.err, new RegExp(`^corebench: 2 change point\\(s\\) for the worse in medianWallMs: .*serialized/1 \\+(29|3\\d)\\.\\d % at ${slowJob}`))
  assert.equal((await cli(url, ['regressions', '--fail-on', 'any'])).code, 1)
  const onlyFaster = await cli(url, ['regressions', '--fail-on', 'slower', '--spec', seeded.faster[0]?.specHash as string])
  assert.equal(onlyFaster.code, 0, 'a speed-up does not trip the slower gate')
  assert.equal(onlyFaster.err, '')

  const json = JSON.parse((await cli(url, ['regressions', '--json'])).out)
  assert.equal(json.specs, 2)
  assert.equal(json.changePoints.length, 4)
  const future = await cli(url, ['regressions', '--since', '2999-01-01', '--fail-on', 'any'])
  assert.equal(future.code, 0)
  assert.match(future.out, /^no change points in medianWallMs over 2 spec\(s\) since 2999-01-01/)

  const bad = await cli(url, ['regressions', '--since', 'yesterday-ish'])
  assert.equal(bad.code, 2)
  oneLine(bad.err, /--since.*expected a date/)
})

test('regressions with no finished job says there is nothing to look at, exit 2', async (t) => {
  const { url } = await listening(t)
  const run = await cli(url, ['regressions', '--fail-on', 'slower'])
  assert.equal(run.code, 2)
  oneLine(run.err, /^corebench: nothing to look at: no finished jobs \(ENOJOBS\)$/)
})
