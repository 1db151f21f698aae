import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Type as TypeBox } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { Type } from '../../src/workloads/param-types.js'
import { workloads } from '../../src/workloads/index.js'
import { loadWorkload, workloadModules } from '../../src/workloads/modules.js'

// The light builders must give exactly what TypeBox gives (symbol keys included: deepStrictEqual
// compares own enumerable symbols), or the API's validation and published schemas would drift.

test('each builder returns what TypeBox returns for the same arguments', () => {
  const options = [undefined, {}, { default: 3, minimum: 1, maximum: 9, description: 'd' }, { exclusiveMinimum: 0, exclusiveMaximum: 1 }]
  for (const o of options) {
    assert.deepStrictEqual(Type.Integer(o), TypeBox.Integer(o))
    assert.deepStrictEqual(Type.Number(o), TypeBox.Number(o))
  }
  assert.deepStrictEqual(Type.String({ default: 'x', maxLength: 4 }), TypeBox.String({ default: 'x', maxLength: 4 }))
  assert.deepStrictEqual(Type.Boolean({ default: true }), TypeBox.Boolean({ default: true }))
  assert.deepStrictEqual(Type.Object({}), TypeBox.Object({}))
  const props = () => ({ n: TypeBox.Integer({ default: 1 }), on: TypeBox.Optional(TypeBox.Boolean()) })
  assert.deepStrictEqual(Type.Object(props(), { additionalProperties: false }), TypeBox.Object(props(), { additionalProperties: false }))
  // Same key order too: the catalog's published schema is JSON.stringify'd.
  assert.equal(JSON.stringify(Type.Object(props(), { additionalProperties: false })), JSON.stringify(TypeBox.Object(props(), { additionalProperties: false })))
})

test('TypeBox validates and fills defaults through schemas built by the light builders', () => {
  const schema = Type.Object({ n: Type.Integer({ default: 30, minimum: 1, maximum: 40 }) }, { additionalProperties: false })
  assert.deepStrictEqual(Value.Default(schema, {}), { n: 30 })
  assert.equal(Value.Check(schema, { n: 41 }), false)
  assert.equal(Value.Check(schema, { n: 2.5 }), false)
  assert.equal(Value.Check(schema, { n: 40 }), true)
})

test('the module map is the catalog: every entry loads the workload of its own id, once', async () => {
  assert.deepStrictEqual([...workloads.keys()], Object.keys(workloadModules))
  for (const id of Object.keys(workloadModules)) assert.equal(await loadWorkload(id), workloads.get(id))
  await assert.rejects(loadWorkload('toString'), /unknown workload "toString"/)
})
