import { Ajv, type ErrorObject } from 'ajv'
import type { FastifyInstance, FastifySchema } from 'fastify'
import sjson from 'secure-json-parse'
import { InvalidJsonError } from '../errors.js'

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
  app.setSchemaErrorFormatter((errors, dataVar) => new Error(formatAjvError(errors[0] as ErrorObject, dataVar)))
}

/** One line that names the field, the value given and the limit it broke. */
export function formatAjvError (e: ErrorObject, dataVar: string): string {
  const base = dataVar === 'body' ? '' : dataVar
  const path = [base, ...e.instancePath.split('/').filter(Boolean)].filter(Boolean).join('.')
  const field = path === '' ? 'body' : path
  const value = e.data === undefined ? '' : `: ${JSON.stringify(e.data)?.slice(0, 80)}`
  switch (e.keyword) {
    case 'additionalProperties':
      if (e.parentSchema?.patternProperties !== undefined) {
        return `${field}: key ${JSON.stringify(e.params.additionalProperty)} does not match ${Object.keys(e.parentSchema.patternProperties as object).join(' or ')}`
      }
      return `${field === 'body' ? '' : field + '.'}${String(e.params.additionalProperty)}: unknown field`
    case 'required':
      return `${field === 'body' ? '' : field + '.'}${String(e.params.missingProperty)}: is required`
    case 'maximum': case 'minimum': case 'exclusiveMaximum': case 'exclusiveMinimum':
    case 'maxItems': case 'minItems': case 'maxLength': case 'minLength': case 'maxProperties':
      return `${field}${value} ${e.message ?? ''} (limit ${String(e.params.limit)})`
    default:
      return `${field}${value} ${e.message ?? 'is invalid'}`
  }
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
    try {
      done(null, sjson.parse(text, { protoAction: 'error', constructorAction: 'error' }))
    } catch (err) {
      done(new InvalidJsonError((err as Error).message), undefined)
    }
  })
}
