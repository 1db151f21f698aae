import { createHash } from 'node:crypto'
import pg from 'pg'
import type { MachineLock } from './machine.js'

/**
 * The advisory-lock key of a machine identity: the first 8 bytes of SHA-256("corebench:machine:" + id)
 * as a signed 64-bit integer (PostgreSQL's `bigint` key space; the prefix keeps other applications'
 * advisory locks on the same database apart).
 */
export function machineLockKey (machineId: string): bigint {
  return createHash('sha256').update(`corebench:machine:${machineId}`).digest().readBigInt64BE(0)
}

/**
 * One machine per runner in team mode: a session-level `pg_try_advisory_lock` on a connection of its
 * own, held for the runner's life. PostgreSQL releases it when that session ends, so a runner killed
 * with -9 (or whose host lost power) frees its machine as soon as its TCP connection is gone, without
 * any lease to wait for. The session is checked every `checkMs` (a query), so that a lock lost to a
 * server restart or a dropped connection is noticed even while nothing else talks to the database.
 */
export class PgMachineLock implements MachineLock {
  private client: pg.Client | undefined
  private check: NodeJS.Timeout | undefined
  private lostListener: (err: unknown) => void = () => {}

  constructor (private readonly url: string, private readonly machineId: string, private readonly checkMs: number) {}

  /** Opens the session and tries the lock: true when taken, false when another session holds it. Throws when the database cannot be reached. */
  async acquire (): Promise<boolean> {
    await this.drop()
    const client = new pg.Client({ connectionString: this.url, keepAlive: true })
    // Listeners before connect: an error on this session must not crash the runner, only end the hold.
    client.on('error', err => { this.lost(client, err) })
    client.on('end', () => { this.lost(client, new Error('the machine lock session ended')) })
    try {
      await client.connect()
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [machineLockKey(this.machineId).toString()])
      if (rows[0]?.locked !== true) {
        await client.end()
        return false
      }
    } catch (err) {
      client.removeAllListeners('end')
      await client.end().catch(() => {})
      throw err
    }
    this.client = client
    this.check = setInterval(() => {
      client.query('SELECT 1').catch((err: unknown) => { this.lost(client, err) })
    }, this.checkMs)
    return true
  }

  onLost (listener: (err: unknown) => void): void {
    this.lostListener = listener
  }

  /** Ends the session (PostgreSQL releases the lock with it). */
  async release (): Promise<void> {
    await this.drop()
  }

  private lost (client: pg.Client, err: unknown): void {
    if (this.client !== client) return
    void this.drop()
    this.lostListener(err)
  }

  private async drop (): Promise<void> {
    clearInterval(this.check)
    const client = this.client
    this.client = undefined
    await client?.end().catch(() => {})
  }
}
