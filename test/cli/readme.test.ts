// The README's commands as a newcomer types them: every file they name ships, every spec in
// examples/ is accepted as it stands, every corebench command exists, nothing downloads a package.
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { test } from 'node:test'
import { cli, listening } from './helpers.js'

const root = new URL('../../', import.meta.url)
const readme = readFileSync(new URL('README.md', root), 'utf8')
const shell = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap(m => (m[1] as string).split('\n')).map(l => l.replace(/\s+#.*$/, '').trim()).filter(l => l !== '' && !l.startsWith('#'))

test('the README names no file that does not ship and downloads nothing with npx', () => {
  for (const line of shell) {
    // Any spec file a command reads (`submit spec.json`, `curl -d @spec.json`) must ship.
    for (const m of line.matchAll(/(?:^|\s)@?([\w./-]+\.json)(?=\s|$)/g)) assert.ok(existsSync(new URL(m[1] as string, root)), `${line}: ${m[1] as string} is missing`)
    const npx = line.match(/^npx (\S+)/)
    if (npx !== null) assert.equal(npx[1], 'corebench', `${line}: npx would download ${npx[1]}`)
  }
  assert.doesNotMatch(readme, /\bwscat\b/)
})

test('every spec in examples/ is accepted; every corebench command in the README exists', async (t) => {
  const { app, url } = await listening(t)
  for (const f of readdirSync(new URL('examples/', root)).filter(f => f.endsWith('.json'))) {
    const spec = JSON.parse(readFileSync(new URL(`examples/${f}`, root), 'utf8')) as Record<string, unknown>
    const res = await app.inject({ method: 'POST', url: '/api/jobs', payload: spec })
    assert.equal(res.statusCode, 202, `${f}: ${res.body}`)
    await app.inject({ method: 'POST', url: `/api/jobs/${res.json().id as string}/cancel` })
  }
  const commands = shell.filter(l => l.startsWith('npx corebench ')).map(l => l.replace(/\$\([^)]*\)/g, 'X').split(/\s+/).slice(2))
  assert.ok(commands.length >= 10, `found ${commands.length} commands`)
  for (const args of commands) {
    // The command and its subcommand, with --help: it must exist and take the flags the README shows.
    const words = args.filter(a => !a.startsWith('-') && !a.includes('/') && !a.includes('$') && !a.startsWith('j_')).slice(0, 2)
    const help = await cli(url, [...words, '--help'])
    assert.equal(help.code, 0, `corebench ${words.join(' ')}: ${help.err}`)
    for (const flag of args.filter(a => /^--?[a-z]/.test(a))) assert.ok(help.out.includes(flag.split('=')[0] as string), `corebench ${words.join(' ')} has no ${flag}`)
  }
})
