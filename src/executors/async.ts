import { SingleThreadExecutor } from './single-thread.js'
import type { ExecutorOptions } from './types.js'

/**
 * The GIL analogue: one worker thread starts every task at once and awaits them together, so waits
 * overlap while CPU work still runs one task at a time on the thread's single event loop.
 */
export class AsyncExecutor extends SingleThreadExecutor {
  constructor (opts: ExecutorOptions = {}) {
    super('async', 'concurrent', opts)
  }
}
