import type { HostFingerprint } from '../host/fingerprint.js'

/**
 * Persistence behind one interface: nothing outside src/store knows which database is in use.
 * Implementations: PrismaStore (SQLite by default).
 */
export interface Store {
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>
  /** Records a host once per distinct fingerprint and refreshes its lastSeenAt. */
  upsertHost(host: HostFingerprint): Promise<void>
  countHosts(): Promise<number>
  close(): Promise<void>
}
