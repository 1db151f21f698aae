import { SingleThreadExecutor } from './single-thread.js'
import type { ExecutorOptions } from './types.js'

/** The baseline: one dedicated worker thread runs the tasks one after another (a plain for loop). */
export class SerializedExecutor extends SingleThreadExecutor {
  constructor (opts: ExecutorOptions = {}) {
    super('serialized', 'serial', opts)
  }
}
