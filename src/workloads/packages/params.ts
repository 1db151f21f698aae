import type { TObject } from '@sinclair/typebox'

// The parameter schema of a workload package's module: plain JSON Schema (TypeBox output is one),
// held to the rules the built-in catalog keeps by construction: an object of scalar properties,
// each with a default, numbers with hard bounds (README "Workload packages").

const Kind = Symbol.for('TypeBox.Kind')

/** The first problem of a params schema as `params.<name>: <problem>`, or undefined when it follows the rules. */
export function paramsSchemaProblem (schema: unknown): string | undefined {
  if (!isObject(schema) || schema.type !== 'object') return 'params: must be a JSON Schema object ({ type: "object", properties })'
  if (!isObject(schema.properties)) return 'params: has no properties object'
  for (const [name, prop] of Object.entries(schema.properties)) {
    const problem = propertyProblem(prop)
    if (problem !== undefined) return `params.${name}: ${problem}`
  }
  return undefined
}

function propertyProblem (p: unknown): string | undefined {
  if (!isObject(p)) return 'must be a schema object'
  switch (p.type) {
    case 'integer':
    case 'number': {
      for (const key of ['minimum', 'maximum', 'default'] as const) {
        if (typeof p[key] !== 'number' || !Number.isFinite(p[key])) return `has no ${key} (every number needs minimum, maximum and default)`
      }
      const { minimum, maximum, default: value } = p as { minimum: number, maximum: number, default: number }
      if (minimum > maximum) return `minimum ${minimum} is above maximum ${maximum}`
      if (value < minimum || value > maximum) return `default ${value} is outside [${minimum}, ${maximum}]`
      if (p.type === 'integer' && !Number.isInteger(value)) return `default ${value} is not an integer`
      return undefined
    }
    case 'boolean':
      return typeof p.default === 'boolean' ? undefined : 'has no boolean default'
    case 'string':
      if (!Array.isArray(p.enum) || p.enum.length === 0 || !p.enum.every(v => typeof v === 'string')) return 'a string needs an enum of allowed strings'
      return (p.enum as unknown[]).includes(p.default) ? undefined : 'has no default among its enum'
    default:
      return `type ${JSON.stringify(p.type)} is not allowed (integer, number, boolean, or string with an enum)`
  }
}

/**
 * A params schema that passed paramsSchemaProblem, marked with TypeBox's kinds so that TypeBox's
 * Value.Default / Value.Errors (resolveParams) read it as they read a built-in one: numbers and
 * booleans as their TypeBox kinds, a string enum as a union of literals. The published JSON is
 * unchanged (the kinds are symbol keys, which JSON leaves out).
 */
export function typeBoxParams (schema: Record<string, unknown>): TObject {
  const properties: Record<string, unknown> = {}
  for (const [name, prop] of Object.entries(schema.properties as Record<string, Record<string, unknown>>)) {
    properties[name] = prop.type === 'string'
      ? { ...prop, [Kind]: 'Union', anyOf: (prop.enum as string[]).map(v => ({ [Kind]: 'Literal', type: 'string', const: v })) }
      : { ...prop, [Kind]: prop.type === 'integer' ? 'Integer' : prop.type === 'number' ? 'Number' : 'Boolean' }
  }
  return { ...schema, [Kind]: 'Object', type: 'object', required: Object.keys(properties), properties, additionalProperties: false } as unknown as TObject
}

/** The params a task gets when it names none: every property's default. */
export function paramDefaults (schema: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(schema.properties as Record<string, { default: unknown }>).map(([name, p]) => [name, p.default]))
}

function isObject (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
