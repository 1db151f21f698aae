import type { StreamMessage as Message } from '../schemas/stream.js'
import { isFinalEvent } from '../schemas/vocabulary.js'

/**
 * A stream message as the hub forwards it: the envelope of src/schemas/stream.ts, with `data` passed
 * on as the publisher made it. `seq` increases per job, so a client can see that it missed something.
 */
export type StreamMessage = Omit<Message, 'type' | 'data'> & { type: string, data: unknown }

/** Progress may be dropped for a slow client; everything else is a lifecycle message and is kept. */
export function isDroppable (type: string): boolean {
  return type === 'progress'
}

/** The last message of a job: a job stream closes normally right after it. */
export function isTerminal (type: string): boolean {
  return isFinalEvent(type)
}
