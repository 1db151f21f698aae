import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

const PREFIX = 'cb_'

/** A new secret: 256 random bits, shown once and never stored. */
export function generateToken (): string {
  return PREFIX + randomBytes(32).toString('base64url')
}

/**
 * SHA-256 is enough for a 256-bit random secret (no dictionary to attack, unlike a password);
 * the store keeps only this digest.
 */
export function hashToken (token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** The bearer token of an Authorization header, or undefined. */
export function bearer (header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '')
  return m?.[1]
}

/**
 * The token a request presents: its bearer token, or for a WebSocket upgrade (browsers cannot set
 * headers on one) the `?token=` query parameter. Undefined when it presents none.
 */
export function presentedToken (req: { headers: { authorization?: string, upgrade?: string }, url: string }): string | undefined {
  const header = bearer(req.headers.authorization)
  if (header !== undefined || req.headers.upgrade?.toLowerCase() !== 'websocket') return header
  return new URL(req.url, 'http://x').searchParams.get('token') ?? undefined
}

/** Constant-time equality of two hex digests (the lookup by digest already found the row). */
export function sameDigest (a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex')
  const y = Buffer.from(b, 'hex')
  return x.length === y.length && timingSafeEqual(x, y)
}
