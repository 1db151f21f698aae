import { randomBytes } from 'node:crypto'

let lastMs = 0

/**
 * Ids that sort by creation time (a fixed-width base-36 millisecond stamp, then randomness), so
 * "newest first", FIFO claiming and cursor pagination are all one scan of the primary key. The
 * stamp is kept strictly increasing within a process so two jobs submitted in the same millisecond
 * still queue in order.
 */
export function newId (prefix: string): string {
  lastMs = Math.max(Date.now(), lastMs + 1)
  return `${prefix}_${lastMs.toString(36).padStart(9, '0')}${randomBytes(5).toString('hex')}`
}
