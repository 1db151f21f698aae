import type { Type as TypeBox } from '@sinclair/typebox'

// The five TypeBox builders the workloads' parameter schemas use, without loading TypeBox.
//
// Every worker thread and child process imports the workload its tasks run, and with it whatever
// that workload imports. `@sinclair/typebox` is 266 ES modules: ~140 ms per isolate before the
// first task (issue 16, "Cost of a fork"), more than a bare worker thread's whole start-up. These
// builders return the very objects TypeBox 0.34 returns under its default instance mode
// (`CreateType`: `{ ...options, ...schema }`, no clone, no freeze), with the same `Symbol.for`
// kind keys, so `Value.*`, the API's validators and `Static<>` see no difference; the typings are
// TypeBox's own. test/workloads/param-types.test.ts compares them with TypeBox field by field.

const Kind = Symbol.for('TypeBox.Kind')
const OptionalKind = Symbol.for('TypeBox.Optional')

function scalar<F> (kind: string, type: string): F {
  return ((options?: object) => ({ ...options, [Kind]: kind, type })) as F
}

function object (properties: Record<string, Record<symbol, unknown>>, options?: object): object {
  const required = Object.keys(properties).filter(key => properties[key]?.[OptionalKind] !== 'Optional')
  const schema = required.length > 0
    ? { [Kind]: 'Object', type: 'object', required, properties }
    : { [Kind]: 'Object', type: 'object', properties }
  return { ...options, ...schema }
}

/** `Type.Object`, `Type.Integer`, `Type.Number`, `Type.String`, `Type.Boolean` with TypeBox's signatures. */
export const Type = {
  Object: object as unknown as typeof TypeBox.Object,
  Integer: scalar<typeof TypeBox.Integer>('Integer', 'integer'),
  Number: scalar<typeof TypeBox.Number>('Number', 'number'),
  String: scalar<typeof TypeBox.String>('String', 'string'),
  Boolean: scalar<typeof TypeBox.Boolean>('Boolean', 'boolean')
}
