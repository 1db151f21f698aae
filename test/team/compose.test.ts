import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { ConfigSchema } from '../../src/config.js'

// docker/compose.yaml is read, not run (no Docker engine on the machines this is developed on):
// the team profile's services, their wiring and their settings, checked against the config schema.
// `yaml` comes with @fastify/swagger (not a direct dependency: a test-only reader).

const file = fileURLToPath(new URL('../../docker/compose.yaml', import.meta.url))
const compose = parse(readFileSync(file, 'utf8'), { merge: true }) as { services: Record<string, any> }
const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8')
const services = compose.services
const TEAM = ['postgres', 'api-1', 'api-2', 'runner-role', 'runner-1', 'runner-2']
const settings = new Set(Object.keys(ConfigSchema.properties))

test('the team profile: PostgreSQL, two API instances without runners, the runner role, two runners; the default service stays outside it', () => {
  assert.equal(services.corebench.profiles, undefined, '`docker compose up` still starts the single-machine service alone')
  assert.deepEqual(Object.keys(services).filter(s => services[s].profiles?.includes('team')).sort(), [...TEAM].sort())
  const owner = services.postgres.environment.POSTGRES_USER

  for (const name of ['api-1', 'api-2']) {
    const api = services[name]
    assert.equal(api.environment.RUNNER, 'off', `${name} runs no jobs itself`)
    assert.match(api.environment.DATABASE_URL, new RegExp(`^postgres://${owner}:[^@]+@postgres:5432/corebench$`), `${name} migrates: the tables' owner`)
    assert.deepEqual(api.depends_on, { postgres: { condition: 'service_healthy' } })
  }
  assert.notEqual(services['api-1'].ports[0].split(':')[1], services['api-2'].ports[0].split(':')[1], 'each API instance on its own host port')

  const role = services['runner-role']
  assert.deepEqual(role.depends_on, { 'api-1': { condition: 'service_healthy' } }, 'the role is granted once the API has created the tables')
  const mount = role.volumes[0].split(':')
  assert.ok(existsSync(resolve(dirname(file), mount[0])), `${mount[0]} exists`)
  assert.ok(role.command[0].includes(`-f ${mount[1]}`), 'the mounted SQL file is what runs')

  const names = new Set<string>()
  for (const name of ['runner-1', 'runner-2']) {
    const runner = services[name]
    assert.deepEqual(runner.command.slice(-1), ['runner'])
    const url = new URL(runner.environment.DATABASE_URL)
    assert.equal(url.hostname, 'postgres')
    assert.notEqual(url.username, owner, `${name} connects as the runner role, not as the tables' owner`)
    assert.ok(role.command[0].includes(`CREATE ROLE ${url.username} LOGIN IN ROLE corebench_runner`), `${name}'s login is created by runner-role`)
    assert.deepEqual(runner.depends_on, { 'runner-role': { condition: 'service_completed_successfully' } })
    names.add(`${runner.environment.RUNNER_NAME}@${runner.hostname}`)
  }
  assert.equal(names.size, 2, 'two runners with their own names and machine identities (hostnames)')

  for (const name of ['corebench', ...TEAM.filter(s => s.startsWith('api') || (s.startsWith('runner-') && s !== 'runner-role'))]) {
    for (const key of Object.keys(services[name].environment ?? {})) assert.ok(settings.has(key), `${name}: ${key} is a corebench setting (src/config.ts)`)
  }
})

test('the README gives the compose commands of the file', () => {
  for (const line of readFileSync(file, 'utf8').split('\n').filter(l => l.startsWith('#   docker compose'))) {
    assert.ok(readme.includes(line.slice(4)), `README.md shows: ${line.slice(4)}`)
  }
})
