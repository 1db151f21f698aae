import { isFinalEvent } from '../schemas/vocabulary.js'

/** Every stream message. `seq` increases per job, so a client can see that it missed something. */
export interface StreamMessage {
  type: string
  jobId: string | null
  seq: number
  at: string
  data: unknown
  /** Present on the first message a client gets after some of its progress messages were dropped. */
  dropped?: number
}

/** Progress may be dropped for a slow client; everything else is a lifecycle message and is kept. */
export function isDroppable (type: string): boolean {
  return type === 'progress'
}

/** The last message of a job: a job stream closes normally right after it. */
export function isTerminal (type: string): boolean {
  return isFinalEvent(type)
}
