import { Type } from '@sinclair/typebox'

/** The one error shape every non-2xx answer has. */
export const ErrorSchema = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String({ description: 'Stable COREBENCH_ERR_* code' }),
  error: Type.String(),
  message: Type.String()
}, { $id: 'Error' })
