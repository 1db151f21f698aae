import assert from 'node:assert/strict'
import { test } from 'node:test'
import { classQueue, isPlacementError, place, runnerQueue, type RunnerInfo } from '../../src/jobs/routing.js'

const seen = new Date('2026-11-30T12:00:00Z')
function runner (name: string, over: Partial<RunnerInfo> = {}): RunnerInfo {
  return { name, arch: 'x64', usableCores: 16, cpuModel: 'EPYC', labels: [], runtimes: ['node', 'python'], workloads: [], online: true, lastSeenAt: seen, ...over }
}
const team = [
  runner('x64-a'),
  runner('x64-b'),
  runner('arm-64', { arch: 'arm64', usableCores: 64, cpuModel: 'Neoverse', labels: ['lab-2'] }),
  runner('small', { usableCores: 2, labels: ['gpu'], runtimes: ['node'] })
]

test('requirements pick the runners that meet all of them; same hardware and labels share one class queue', () => {
  const p = place({ minCores: 16, arch: 'x64' }, ['node'], team)
  assert.ok(!isPlacementError(p))
  assert.deepEqual(p.runners.map(r => r.name), ['x64-a', 'x64-b'])
  assert.deepEqual(p.queues, [classQueue(team[0])], 'x64-a and x64-b are one class: competing consumers of one queue')
  assert.equal(p.cores, 16)
  assert.deepEqual(p.warnings, [])

  const arm = place({ arch: 'arm64', minCores: 64, labels: ['lab-2'] }, ['node'], team)
  assert.ok(!isPlacementError(arm))
  assert.deepEqual(arm.runners.map(r => r.name), ['arm-64'])
  assert.equal(arm.cores, 64, 'the sweep of a job routed to the 64-core class uses its cores, not the API\'s')
})

test('a named runner gets the job on its own queue', () => {
  const p = place({ runner: 'small' }, ['node'], team)
  assert.ok(!isPlacementError(p))
  assert.deepEqual(p.queues, [runnerQueue('small')])
  assert.notEqual(runnerQueue('small'), classQueue(team[3]))
  assert.equal(p.cores, 2)
})

test('no placement at all spreads over every class, and sizes the sweep by the fewest cores, saying so', () => {
  const p = place(undefined, ['node'], team)
  assert.ok(!isPlacementError(p))
  assert.equal(p.queues.length, 3)
  assert.equal(p.cores, 2)
  assert.match(p.warnings.join('\n'), /different core counts \(2, 16, 64\).*the fewest, 2/)
})

test('what no registered runner can ever match is refused, naming the field and what exists', () => {
  const refuse = (runOn: Parameters<typeof place>[0], runtimes: string[], field: string, message: RegExp): void => {
    const p = place(runOn, runtimes, team)
    assert.ok(isPlacementError(p), JSON.stringify(p))
    assert.equal(p.field, field)
    assert.match(p.message, message)
  }
  refuse({ runner: 'nope' }, ['node'], 'runOn.runner', /no registered runner is named "nope" \(registered: arm-64, small, x64-a, x64-b\)/)
  refuse({ arch: 'riscv64' }, ['node'], 'runOn.arch', /no registered runner is riscv64 \(registered: arm64, x64\)/)
  refuse({ arch: 'x64', minCores: 32 }, ['node'], 'runOn.minCores', /no registered runner has 32 usable cores \(the most: 16\)/)
  refuse({ labels: ['gpu', 'lab-2'] }, ['node'], 'runOn.labels', /every label of gpu, lab-2 \(labels seen: gpu, lab-2\)/)
  refuse({ runner: 'small' }, ['node', 'python'], 'runtimes', /small: node/)
  const empty = place({}, ['node'], [])
  assert.ok(isPlacementError(empty))
  assert.equal(empty.field, 'runOn')
})

test('a job for offline runners is accepted, with a warning that says since when', () => {
  const p = place({ arch: 'arm64' }, ['node'], team.map(r => ({ ...r, online: false })))
  assert.ok(!isPlacementError(p))
  assert.match(p.warnings[0], /offline \(arm-64 since 2026-11-30T12:00:00.000Z\)/)
})

test('a package workload goes only to the runners that loaded it, at the pinned version', () => {
  const withPkg = [
    runner('has-a', { workloads: [{ id: 'acme/resize', version: '1.0.0+aaaaaaaaaaaa' }] }),
    runner('has-b', { arch: 'arm64', cpuModel: 'Neoverse', workloads: [{ id: 'acme/resize', version: '1.1.0+bbbbbbbbbbbb' }] }),
    runner('plain')
  ]
  const any = place(undefined, ['node'], withPkg, { id: 'acme/resize' })
  assert.ok(!isPlacementError(any))
  assert.deepEqual(any.runners.map(r => r.name), ['has-a', 'has-b'])
  const pinned = place(undefined, ['node'], withPkg, { id: 'acme/resize', version: '1.1.0+bbbbbbbbbbbb' })
  assert.ok(!isPlacementError(pinned))
  assert.deepEqual(pinned.runners.map(r => r.name), ['has-b'])
  assert.deepEqual(pinned.queues, [runnerQueue('has-b')], 'its own queue: a class peer may lack the package')
  assert.deepEqual(any.queues, [runnerQueue('has-a'), runnerQueue('has-b')].sort())

  const nowhere = place({ arch: 'x64' }, ['node'], withPkg, { id: 'acme/resize', version: '1.1.0+bbbbbbbbbbbb' })
  assert.ok(isPlacementError(nowhere))
  assert.equal(nowhere.field, 'workload.version')
  assert.match(nowhere.message, /no matching runner has version 1\.1\.0\+bbbbbbbbbbbb of acme\/resize \(they have 1\.0\.0\+aaaaaaaaaaaa\)/)
  const missing = place({ runner: 'plain' }, ['node'], withPkg, { id: 'acme/resize' })
  assert.ok(isPlacementError(missing))
  assert.equal(missing.field, 'workload.id')
  assert.match(missing.message, /no matching runner has loaded workload acme\/resize \(matching runners: plain\)/)
})
