import { stampWatch, type RunTracker, type TimedOut } from './run-tracker.js'

/**
 * The memory a thread executor shares with its worker threads: the shared-counter cell (one per
 * executor, so threads of one pool really race on it) and a start stamp per task index, which the
 * timeout watchdog reads without waiting on a thread that may be stuck in a loop.
 */
export class ThreadMemory {
  private readonly sharedBuf = new SharedArrayBuffer(4)
  private readonly shared = new Int32Array(this.sharedBuf)
  private readonly stampsBuf: SharedArrayBuffer
  private readonly stamps: Float64Array

  constructor (maxTasks: number) {
    this.stampsBuf = new SharedArrayBuffer(8 * maxTasks)
    this.stamps = new Float64Array(this.stampsBuf)
  }

  /** What every worker thread gets in its workerData. */
  get workerData (): { shared: SharedArrayBuffer, startStamps: SharedArrayBuffer } {
    return { shared: this.sharedBuf, startStamps: this.stampsBuf }
  }

  /** Clears the counter and the stamps of the next run's tasks; call with no task in flight. */
  reset (tasks: number): void {
    this.stamps.fill(0, 0, tasks)
    Atomics.store(this.shared, 0, 0)
  }

  /** The timeout check for one run (see RunTracker). */
  watch (): (tracker: RunTracker, at: number, limitMs: number) => TimedOut | undefined {
    return stampWatch(this.stamps, 'its worker thread was terminated')
  }

  /** The shared counter after a run: one memory space for every thread of the executor. */
  arrived (): { arrived: number, memorySpaces: number } {
    return { arrived: Atomics.load(this.shared, 0), memorySpaces: 1 }
  }
}
