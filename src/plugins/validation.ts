import { Ajv, type ErrorObject } from 'ajv'
import type { FastifyInstance, FastifySchema } from 'fastify'
import sjson from 'secure-json-parse'
import { InvalidJsonError, validationFailed } from '../errors.js'
import type { FieldError } from '../schemas/common.js'
import { escapeUnsafe } from '../schemas/text.js'

/**
 * Two validators: bodies are checked strictly (no type coercion, unknown properties refused, so
 * `"tasks": "16"` is an error rather than silently becoming 16), while path and query strings,
 * which are text by nature, are coerced to the declared types.
 */
export function installValidators (app: FastifyInstance): void {
  const common = { useDefaults: true, removeAdditional: false, allErrors: false, verbose: true, strict: false } as const
  const strict = new Ajv({ ...common, coerceTypes: false })
  const coercing = new Ajv({ ...common, coerceTypes: 'array' })
  app.setValidatorCompiler(({ schema, httpPart }: { schema: FastifySchema, httpPart?: string }) =>
    (httpPart === 'body' ? strict : coercing).compile(schema as object))
  app.setSchemaErrorFormatter((errors, dataVar) => validationFailed([fieldErrorOf(errors[0] as ErrorObject, dataVar)]))
}

/**
 * The refused field as the error's details carry it: its path (`tasks`, `workers.1`,
 * `querystring.limit`), the value given (primitives only, long text cut), the limit it broke, and one
 * line that says all three.
 */
export function fieldErrorOf (e: ErrorObject, dataVar: string): FieldError {
  const base = dataVar === 'body' ? '' : dataVar
  const path = [base, ...e.instancePath.split('/').filter(Boolean)].filter(Boolean).join('.')
  const field = path === '' ? 'body' : path
  const child = (name: unknown): string => `${field === 'body' ? '' : field + '.'}${String(name)}`
  // JSON escapes C0 controls; C1, separators and bidirectional overrides are escaped too, so that the
  // message shows the value given without it acting on whoever reads the message.
  const shown = e.data === undefined ? '' : `: ${escapeUnsafe(JSON.stringify(e.data)?.slice(0, 80) ?? '')}`
  const value = primitive(e.data)
  switch (e.keyword) {
    case 'additionalProperties':
      if (e.parentSchema?.patternProperties !== undefined) {
        const limit = Object.keys(e.parentSchema.patternProperties as object).join(' or ')
        return { field, value: escapeUnsafe(String(e.params.additionalProperty)), limit, message: `${field}: key ${JSON.stringify(e.params.additionalProperty)} does not match ${limit}` }
      }
      return { field: child(e.params.additionalProperty), limit: null, message: `${child(e.params.additionalProperty)}: unknown field` }
    case 'required':
      return { field: child(e.params.missingProperty), limit: null, message: `${child(e.params.missingProperty)}: is required` }
    case 'maximum': case 'minimum': case 'exclusiveMaximum': case 'exclusiveMinimum':
    case 'maxItems': case 'minItems': case 'maxLength': case 'minLength': case 'maxProperties':
      return { field, value, limit: e.params.limit as number, message: `${field}${shown} ${e.message ?? ''} (limit ${String(e.params.limit)})` }
    case 'pattern':
      // A schema may say in words what its pattern means (src/schemas/text.ts).
      if (typeof e.parentSchema?.['x-error'] === 'string') return { field, value, limit: e.params.pattern as string, message: `${field}${shown} ${e.parentSchema['x-error'] as string}` }
      return { field, value, limit: e.params.pattern as string, message: `${field}${shown} ${e.message ?? 'is invalid'}` }
    default:
      return { field, value, limit: null, message: `${field}${shown} ${e.message ?? 'is invalid'}` }
  }
}

/** A value worth echoing in details: primitives, text cut to 200 characters and escaped as above. */
function primitive (v: unknown): unknown {
  if (typeof v === 'string') return escapeUnsafe(v.slice(0, 200))
  return typeof v === 'number' || typeof v === 'boolean' || v === null ? v : undefined
}

/**
 * fastify's default JSON parser drops the reason a body was refused; this one keeps it (e.g. "Object
 * contains forbidden prototype property") and, like the default, refuses `__proto__` and
 * `constructor.prototype` keys instead of stripping them, so a hostile body never reaches a handler.
 */
export function installJsonParser (app: FastifyInstance): void {
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string
    if (text.length === 0) {
      done(new InvalidJsonError('the body is empty'), undefined)
      return
    }
    // Before anything recurses over the value (secure-json-parse's prototype scan, Ajv, error
    // formatting, serializers): a body nested thousands of levels deep overflowed the stack (500).
    const deep = tooDeep(text, MAX_JSON_DEPTH)
    if (deep !== null) {
      done(validationFailed([{ field: deep, limit: MAX_JSON_DEPTH, message: `${deep}: nested deeper than ${MAX_JSON_DEPTH} levels (limit ${MAX_JSON_DEPTH})` }]), undefined)
      return
    }
    try {
      done(null, sjson.parse(text, { protoAction: 'error', constructorAction: 'error' }))
    } catch (err) {
      done(new InvalidJsonError((err as Error).message), undefined)
    }
  })
}

/** Deepest nesting of arrays and objects a JSON body may have; a job spec needs 4. */
export const MAX_JSON_DEPTH = 32

/**
 * Scans JSON text without parsing it and without recursion (so the scan itself cannot overflow) and
 * returns the field where nesting first goes past `max` levels, as `workload.id` or `tags.a.b…`
 * (object keys up to the first array, at most four), or null when the text stays within `max`.
 * Invalid JSON is left for the parser to report.
 */
export function tooDeep (text: string, max: number): string | null {
  // Per open container: for an object, the key whose value is being read (once known).
  const stack: Array<{ array: boolean, segment: string | null, expectKey: boolean }> = []
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i)
    if (ch === 0x22) { // a string: skip it, keeping it when it is an object key
      const start = i
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++
      const top = stack.at(-1)
      if (top !== undefined && !top.array && top.expectKey) {
        try { top.segment = JSON.parse(text.slice(start, i + 1)) as string } catch { top.segment = '?' }
        top.expectKey = false
      }
    } else if (ch === 0x7b || ch === 0x5b) { // { or [
      if (stack.length === max) return fieldOf(stack)
      stack.push({ array: ch === 0x5b, segment: null, expectKey: ch === 0x7b })
    } else if (ch === 0x7d || ch === 0x5d) { // } or ]
      stack.pop()
    } else if (ch === 0x2c) { // , : in an object, a key comes next
      const top = stack.at(-1)
      if (top !== undefined && !top.array) top.expectKey = true
    }
  }
  return null
}

function fieldOf (stack: ReadonlyArray<{ array: boolean, segment: string | null }>): string {
  const keys: string[] = []
  for (const frame of stack) {
    if (frame.array || frame.segment === null) break
    // A key is text from the request: quoted and escaped unless it is a plain name.
    keys.push(/^[\w$-]{1,64}$/.test(frame.segment) ? frame.segment : escapeUnsafe(JSON.stringify(frame.segment.slice(0, 64))))
  }
  if (keys.length === 0) return 'body'
  return keys.length > 4 ? `${keys.slice(0, 4).join('.')}…` : keys.join('.')
}
