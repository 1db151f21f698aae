import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Ajv } from 'ajv'
import { JOB_EVENTS } from '../../src/schemas/vocabulary.js'
import { build } from '../helpers/app.js'
import { seededDatabase, seedJob } from '../helpers/seed.js'

type Schema = Record<string, unknown>

// Each workload has its own params schema (GET /api/workloads): a spec's params are any JSON values.
const FREE = new Set(['JobSpec.workload.params{}'])

/**
 * Paths (like `JobSummary.cells[].latency`) of every schema under `root` that says nothing about its
 * value: no type, $ref, anyOf/oneOf/allOf, enum or const (what Type.Unknown() becomes). Follows
 * $refs into components.schemas, each once.
 */
function untyped (root: Schema, components: Record<string, Schema>, where: string, seen = new Set<string>()): string[] {
  const ref = root.$ref
  if (typeof ref === 'string') {
    const name = ref.replace('#/components/schemas/', '')
    if (seen.has(name)) return []
    seen.add(name)
    const target = components[name]
    return target === undefined ? [`${where} → missing ${ref}`] : untyped(target, components, name, seen)
  }
  const out: string[] = []
  const typed = ['type', 'anyOf', 'oneOf', 'allOf', 'enum', 'const'].some(k => k in root)
  if (!typed && !FREE.has(where)) out.push(where)
  for (const k of ['anyOf', 'oneOf', 'allOf'] as const) {
    for (const [i, s] of ((root[k] ?? []) as Schema[]).entries()) out.push(...untyped(s, components, `${where}|${i}`, seen))
  }
  for (const [k, s] of Object.entries((root.properties ?? {}) as Record<string, Schema>)) out.push(...untyped(s, components, `${where}.${k}`, seen))
  const items = root.items
  if (Array.isArray(items)) items.forEach((s: Schema, i) => out.push(...untyped(s, components, `${where}[${i}]`, seen)))
  else if (items !== undefined) out.push(...untyped(items as Schema, components, `${where}[]`, seen))
  if (typeof root.additionalProperties === 'object') out.push(...untyped(root.additionalProperties as Schema, components, `${where}{}`, seen))
  return out
}

test('/docs/json types the job summary, the comparison and every stream message', async (t) => {
  const { app } = await build(t)
  const doc = (await app.inject('/docs/json')).json()
  const components = doc.components.schemas as Record<string, Schema>

  const summary = components.JobView?.properties as Record<string, Schema> | undefined
  assert.deepEqual(summary?.summary, { $ref: '#/components/schemas/JobSummary' })
  assert.deepEqual(untyped({ $ref: '#/components/schemas/JobSummary' }, components, 'JobSummary'), [])
  assert.ok(((components.CellSummary?.required ?? []) as string[]).includes('speedup'), 'cells declare their figures')

  const compare = doc.paths['/api/jobs/{id}/compare/{baselineId}']?.get?.responses?.['200']?.content?.['application/json']?.schema as Schema
  assert.ok(compare !== undefined, 'compare documents its 200 answer')
  assert.deepEqual(untyped(compare, components, 'compare'), [])
  assert.ok(((compare.required ?? []) as string[]).includes('verdict'))

  const messages = components.StreamMessage?.anyOf as Schema[] | undefined
  assert.ok(messages !== undefined, 'stream messages are a component')
  assert.deepEqual(untyped({ $ref: '#/components/schemas/StreamMessage' }, components, 'StreamMessage'), [])
  const types = messages.map(m => ((m.properties as Record<string, Schema>).type?.enum as string[] | undefined)?.[0])
  assert.deepEqual([...new Set(types)].sort(), ['error', 'snapshot', ...JOB_EVENTS].sort())
  assert.match(String(doc.tags?.find((tag: { name: string }) => tag.name === 'streams')?.description), /StreamMessage/)
})

test('job views are what /docs/json says they are: computed summaries, and a stored one from before some fields existed', async (t) => {
  const walls = { 'serialized/1': [100, 102, 101, 99, 100, 103], 'threaded/2': [55, 54, 56, 53, 55, 54] }
  const { url, seeded } = await seededDatabase(t, async (store) => {
    const current = await seedJob(store, { status: 'finished', walls })
    const old = await seedJob(store, { status: 'finished', walls })
    // As a job finished by an older version stored it: no cores, cpuBound, answer, impossible, busyShare, taskSlowdown.
    const cell = { key: 'serialized/1', runtime: 'node', executor: 'serialized', workers: 1, runs: 6, failedRuns: 0, medianWallMs: 100.5, meanWallMs: 100.8, stdevWallMs: 1.5, minWallMs: 99, maxWallMs: 103, cv: 0.015, medianWallCi95: null, ciMethod: null, outlierRunIds: [], outlierRule: null, speedup: 1, speedupCi95: null, efficiency: 1, busyCores: 1, startupMs: 1, medianColdWallMs: 101.5, throughput: 39.8, verified: null, shared: null, latency: null }
    await store.updateJob(old.id, { summary: { cells: [cell], scaling: [], bestSpeedup: null, warnings: [] } })
    return { current, old }
  })
  const { app } = await build(t, {}, { databaseUrl: url })
  // GET /api/jobs/:id sends JSON it serialized itself (for its ETag): check it against the document.
  const components = (await app.inject('/docs/json')).json().components
  const isJobView = new Ajv({ strict: false, validateFormats: false, allErrors: true }).compile({ $ref: '#/components/schemas/JobView', components })
  const current = await app.inject(`/api/jobs/${seeded.current.id}`)
  assert.equal(current.statusCode, 200, current.body)
  assert.ok(isJobView(current.json()), JSON.stringify(isJobView.errors))
  const cells = current.json().summary.cells as Array<Record<string, unknown>>
  assert.deepEqual(cells.map(c => c.key), ['serialized/1', 'threaded/2'])
  assert.ok((cells[1]?.speedup as number) > 1.5, 'the figures survive serialization')
  assert.ok('busyShare' in (cells[1] ?? {}) && 'taskCpuMs' in (cells[1] ?? {}))
  const old = await app.inject(`/api/jobs/${seeded.old.id}`)
  assert.equal(old.statusCode, 200, old.body)
  assert.ok(isJobView(old.json()), JSON.stringify(isJobView.errors))
  assert.equal(old.json().summary.cells[0].medianWallMs, 100.5)
  assert.equal(old.json().answer, null)
  const compare = await app.inject(`/api/jobs/${seeded.current.id}/compare/${seeded.old.id}`)
  assert.equal(compare.statusCode, 200, compare.body)
})
