import createError, { type FastifyError } from '@fastify/error'
import type { FieldError } from './schemas/common.js'

// The one catalog of error codes corebench answers with (listed in the README). 4xx messages are
// shown to the client as they are; 5xx ones are logged and masked by the error handler.

export const NotFoundError = createError<[string, string]>('COREBENCH_ERR_NOT_FOUND', '%s %s not found', 404)
export const RouteNotFoundError = createError<[string, string]>('COREBENCH_ERR_ROUTE_NOT_FOUND', 'Route %s %s not found', 404)
export const ValidationError = createError<[string]>('COREBENCH_ERR_VALIDATION', '%s', 400)
export const ConflictError = createError<[string]>('COREBENCH_ERR_CONFLICT', '%s', 409)
export const QueueFullError = createError<[number]>('COREBENCH_ERR_QUEUE_FULL', 'The job queue is full (%d jobs waiting); retry later', 429)
export const UnauthorizedError = createError<[string]>('COREBENCH_ERR_UNAUTHORIZED', '%s', 401)
export const ForbiddenError = createError<[string]>('COREBENCH_ERR_FORBIDDEN', '%s', 403)
export const OverloadedError = createError('COREBENCH_ERR_OVERLOADED', 'The server is overloaded (its event loop is saturated); retry later', 503)
export const RateLimitedError = createError<[string]>('COREBENCH_ERR_RATE_LIMITED', 'Too many requests; retry in %s', 429)
export const DatabaseUnavailableError = createError('COREBENCH_ERR_DB_UNAVAILABLE', 'The database cannot take this request now (unreachable, full or locked); retry later', 503)
export const RunnerStalledError = createError<[string, string]>('COREBENCH_ERR_RUNNER_STALLED', 'The runner is stalled since %s: %s; no job can run', 503)
export const TooManyConnectionsError = createError<[number]>('COREBENCH_ERR_TOO_MANY_CONNECTIONS', 'The server has reached its limit of %d open connections (MAX_CONNECTIONS); retry later', 503)
export const BodyTooLargeError = createError<[number]>('COREBENCH_ERR_BODY_TOO_LARGE', 'The request body is larger than the limit of %d bytes', 413)
export const UnsupportedMediaTypeError = createError<[string]>('COREBENCH_ERR_UNSUPPORTED_MEDIA_TYPE', 'Unsupported content type %s; send application/json', 415)
export const InvalidJsonError = createError<[string]>('COREBENCH_ERR_INVALID_JSON', 'The body is not valid JSON: %s', 400)

/**
 * A 400 COREBENCH_ERR_VALIDATION that lists each refused field in `details` (README "Errors"); its
 * message joins their messages with "; ".
 */
export function validationFailed (details: FieldError[]): FastifyError & { details: FieldError[] } {
  return Object.assign(new ValidationError(details.map(d => d.message).join('; ')), { details })
}
