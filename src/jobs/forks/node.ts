import { createExecutor, type ExecutorOptions } from '../../executors/index.js'
import { measureRun } from '../../measure/measure-run.js'
import { cellKey } from '../../schemas/cells.js'
import { externalWorkload } from '../../workloads/external.js'
import type { ForkHooks, ForkPlan, ForkRunner } from './types.js'

export interface NodeForkOptions {
  executorOptions: ExecutorOptions
  /** Where the http-get workload finds the runner's loopback delay endpoint. */
  httpBase: () => string | undefined
}

/** Node's executors: one pool per fork, started before timing and destroyed after the recorded run. */
export class NodeForkRunner implements ForkRunner {
  constructor (private readonly opts: NodeForkOptions) {}

  async run ({ spec, cell, signal }: ForkPlan, hooks: ForkHooks): Promise<string | undefined> {
    // A package workload's module: the path this runner resolved and checked at its start, by id.
    const workloadModule = externalWorkload(spec.workload.id)?.module
    const pool = createExecutor(cell.executor, cell.workers, { ...this.opts.executorOptions, workload: spec.workload.id, workloadModule })
    try {
      try {
        await pool.start()
      } catch (err) {
        return `${cellKey(cell)}: the pool did not start: ${(err as Error).message}`
      }
      for (let k = 0; k <= spec.warmup; k++) {
        const onTaskDone = hooks.runStarted(k)
        const outcome = await measureRun(pool, { workload: spec.workload.id, params: spec.workload.params, tasks: spec.tasks, httpBase: this.opts.httpBase() }, {
          signal,
          taskTimeoutMs: spec.taskTimeoutMs,
          onTaskDone
        })
        // A run cut short by cancel, shutdown or the budget is not a measurement: it is not stored.
        if (signal.aborted) return undefined
        const failed = await hooks.record(k, outcome)
        if (failed !== undefined) return failed
      }
      return undefined
    } finally {
      await pool.destroy()
    }
  }
}
