import assert from 'node:assert/strict'
import { test } from 'node:test'

interface RunResult { status: number | null, output: string }
interface Deps { exists: (p: string) => boolean, uid: () => number, which: (c: string) => boolean, run: (c: string, a: string[]) => RunResult, log: (l: string) => void }
type Outcome = { ok: true, installed: boolean } | { ok: false, message: string }
const { ensureChromium, machine, CHROMIUM } = await import(new URL('../../scripts/chromium.mjs', import.meta.url).href) as { ensureChromium: (d: Deps) => Outcome, machine: Deps, CHROMIUM: string }

/** A machine described by its facts; records every command it is asked to run. */
function fake (facts: { chromium?: boolean, uid?: number, commands?: string[], sudoOk?: boolean, aptFails?: string, installs?: boolean }): Deps & { ran: string[] } {
  let present = facts.chromium ?? false
  const ran: string[] = []
  return {
    ran,
    exists: () => present,
    uid: () => facts.uid ?? 1000,
    which: (c) => (facts.commands ?? ['apt-get', 'sudo']).includes(c),
    run: (c, a) => {
      const line = [c, ...a].join(' ')
      ran.push(line)
      if (line === 'sudo -n true') return { status: facts.sudoOk === true ? 0 : 1, output: 'sudo: a password is required' }
      if (facts.aptFails !== undefined && line.includes('install')) return { status: 100, output: `Reading package lists...\n${facts.aptFails}\n` }
      if (line.endsWith('install -y -qq --no-install-recommends chromium') && facts.installs !== false) present = true
      return { status: 0, output: '' }
    },
    log: () => {}
  }
}

const oneLine = (o: Outcome): string => {
  assert.equal(o.ok, false)
  const message = (o as { message: string }).message
  assert.doesNotMatch(message, /\n/)
  return message
}

test('Chromium present: nothing is installed or run', () => {
  const m = fake({ chromium: true, uid: 0 })
  assert.deepEqual(ensureChromium(m), { ok: true, installed: false })
  assert.deepEqual(m.ran, [])
})

test('a fresh Debian machine as root: apt-get installs the chromium package', () => {
  const m = fake({ uid: 0 })
  assert.deepEqual(ensureChromium(m), { ok: true, installed: true })
  assert.deepEqual(m.ran, ['apt-get update -qq', 'apt-get install -y -qq --no-install-recommends chromium'])
})

test('not root but passwordless sudo: the same through sudo -n', () => {
  const m = fake({ sudoOk: true })
  assert.deepEqual(ensureChromium(m), { ok: true, installed: true })
  assert.deepEqual(m.ran, ['sudo -n true', 'sudo -n apt-get update -qq', 'sudo -n apt-get install -y -qq --no-install-recommends chromium'])
})

test('no way to install: one line that says what to install, and nothing attempted', () => {
  for (const m of [fake({ sudoOk: false }), fake({ commands: ['apt-get'] })]) {
    assert.match(oneLine(ensureChromium(m)), /need Chromium at \/usr\/bin\/chromium: run `sudo apt-get install -y chromium`/)
    assert.ok(m.ran.every(l => !l.includes('apt-get')), m.ran.join())
  }
  assert.match(oneLine(ensureChromium(fake({ uid: 0, commands: [] }))), /no apt-get: install Chromium so that \/usr\/bin\/chromium runs it/)
})

test('apt-get fails or installs elsewhere: one line with the reason', () => {
  assert.match(oneLine(ensureChromium(fake({ uid: 0, aptFails: 'E: Unable to locate package chromium' }))), /failed \(E: Unable to locate package chromium\); run `sudo apt-get install -y chromium`/)
  assert.match(oneLine(ensureChromium(fake({ uid: 0, installs: false }))), /installed no \/usr\/bin\/chromium/)
})

test('this machine: the real check finds the browser the tests drive', () => {
  assert.equal(CHROMIUM, '/usr/bin/chromium')
  assert.deepEqual(ensureChromium({ ...machine, run: () => assert.fail('nothing should be run here') }), { ok: true, installed: false })
})
