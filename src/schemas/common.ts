import { Type, type Static, type TSchema } from '@sinclair/typebox'

/** `T` or null. */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])

/** One refused field of a request: what a form needs to mark it without reading the message. */
export const FieldErrorSchema = Type.Object({
  field: Type.String({ description: 'Path of the field in the request, dot-separated: tasks, workers.1, workload.params.n, query.limit; "body" for the whole body' }),
  value: Type.Optional(Type.Unknown({ description: 'The value given, when there was one' })),
  limit: Nullable(Type.Union([Type.Number(), Type.String()], { description: 'The limit it broke (a number, or the pattern or list it had to match); null when there is none to name' })),
  message: Type.String({ description: 'The same words as in the error message' })
}, { $id: 'FieldError' })

export type FieldError = Static<typeof FieldErrorSchema>

/** The one error shape every non-2xx answer has. */
export const ErrorSchema = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String({ description: 'Stable COREBENCH_ERR_* code' }),
  error: Type.String(),
  message: Type.String(),
  details: Type.Optional(Type.Array(Type.Ref(FieldErrorSchema), { description: 'COREBENCH_ERR_VALIDATION only: each refused field; the message joins their messages with "; "' }))
}, { $id: 'Error' })
