import type { Static, TObject } from '@sinclair/typebox'

export type WorkloadKind = 'cpu' | 'io' | 'memory' | 'mixed'

/** What a task gets besides its parameters. Built by the executor inside the worker or child. */
export interface TaskContext {
  /** 0-based index of the task within its run. */
  index: number
  /**
   * Present only for workloads with `sharedMemory: true`: an Int32Array over memory that every task
   * running in the same memory space sees (one SharedArrayBuffer per run for thread executors, a
   * private one per child process for the process executor). Index 0 is the counter.
   */
  shared?: Int32Array
  /** Base URL of the loopback delay endpoint (`${httpBase}?ms=N` answers after N ms). */
  httpBase?: string
  /** A writable directory for temporary files; the workload removes what it creates. */
  tmpDir: string
}

/** A task's deterministic result: equal params must give an equal checksum on every executor. */
export interface TaskOutput {
  checksum: string
}

/**
 * One built-in workload. `run` executes exactly one task; it must be deterministic (checksum),
 * bounded by its schema's limits, and never run code that came from a request.
 */
export interface Workload<P extends TObject = TObject> {
  id: string
  kind: WorkloadKind
  description: string
  /** TypeBox object schema: every property has a default and hard bounds. */
  params: P
  /**
   * True when tasks increment `ctx.shared[0]`. The task's checksum is then the decimal count of
   * updates it made, so a run can report expected (the sum) against arrived (what memory holds).
   */
  sharedMemory?: boolean
  run(params: Static<P>, ctx: TaskContext): TaskOutput | Promise<TaskOutput>
}

/** Typed helper so that each workload file gets its params type inferred from its schema. */
export function defineWorkload<P extends TObject>(w: Workload<P>): Workload<P> {
  return w
}
