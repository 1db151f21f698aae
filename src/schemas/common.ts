import { Type, type TSchema } from '@sinclair/typebox'

/** `T` or null. */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])

/** The one error shape every non-2xx answer has. */
export const ErrorSchema = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String({ description: 'Stable COREBENCH_ERR_* code' }),
  error: Type.String(),
  message: Type.String()
}, { $id: 'Error' })
