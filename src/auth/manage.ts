import { newId } from '../store/ids.js'
import type { ApiToken, Store } from '../store/types.js'
import { generateToken, hashToken } from './tokens.js'

/** Creates a token and returns its secret: the only time it exists outside the caller's hands. */
export async function createToken (store: Store, name: string): Promise<{ token: string, record: ApiToken }> {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new Error(`token name ${JSON.stringify(name)}: use 1–64 letters, digits, _ . -`)
  const token = generateToken()
  const record = await store.createToken(newId('t'), name, hashToken(token))
  return { token, record }
}
