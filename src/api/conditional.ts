/**
 * Conditional GET and HEAD (RFC 9110 §13): whether a request's validators still match what would
 * be sent, so that the answer is a bodyless 304 Not Modified.
 */

/** The entity-tags of an If-None-Match value (`W/"x", "y"`), or '*'. Malformed members are skipped. */
function entityTags (header: string): string[] | '*' {
  if (header.trim() === '*') return '*'
  return [...header.matchAll(/(?:W\/)?("[^"]*")/g)].map(m => m[1] as string)
}

/**
 * RFC 9110 §13.1.2 If-None-Match for GET/HEAD: true when `*` is given or any listed tag equals
 * `etag` under the weak comparison (§8.8.3.2: the opaque tags match, W/ prefixes ignored).
 */
export function noneMatchFails (header: string, etag: string): boolean {
  const tags = entityTags(header)
  if (tags === '*') return true
  const opaque = etag.replace(/^W\//, '')
  return tags.includes(opaque)
}

/**
 * RFC 9110 §13.1.3 If-Modified-Since: true when the representation has not changed since the given
 * HTTP-date (one-second resolution). An unparsable date is ignored (false).
 */
export function notModifiedSince (header: string, lastModified: Date): boolean {
  const since = Date.parse(header)
  if (Number.isNaN(since)) return false
  return Math.floor(lastModified.getTime() / 1000) * 1000 <= since
}

/**
 * Whether a GET/HEAD answers 304 (RFC 9110 §13.2.2, steps 3 and 4): If-None-Match decides when
 * present; only without it is If-Modified-Since evaluated, and only where a Last-Modified is sent.
 */
export function notModified (headers: { 'if-none-match'?: string, 'if-modified-since'?: string }, etag: string, lastModified: Date | undefined): boolean {
  const inm = headers['if-none-match']
  if (inm !== undefined) return noneMatchFails(inm, etag)
  const ims = headers['if-modified-since']
  return ims !== undefined && lastModified !== undefined && notModifiedSince(ims, lastModified)
}
