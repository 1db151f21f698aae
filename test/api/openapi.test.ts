import assert from 'node:assert/strict'
import { test } from 'node:test'
import { JOB_EVENTS } from '../../src/schemas/vocabulary.js'
import { build } from '../helpers/app.js'

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
  const types = messages.map(m => ((m.properties as Record<string, Schema>).type?.enum as string[])[0])
  assert.deepEqual([...new Set(types)].sort(), ['error', 'snapshot', ...JOB_EVENTS].sort())
  assert.match(String(doc.tags?.find((tag: { name: string }) => tag.name === 'streams')?.description), /StreamMessage/)
})
