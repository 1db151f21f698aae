import { canaryFigures, startDisturbance, type DisturbanceProbe } from '../../measure/disturbance.js'
import type { RunOutcome } from '../../measure/measure-run.js'
import { runPythonFork } from '../../runtimes/python/index.js'
import type { Runtimes } from '../../runtimes/runtimes.js'
import { cellKey } from '../../schemas/cells.js'
import { externalWorkload } from '../../workloads/external.js'
import type { ForkHooks, ForkPlan, ForkRunner } from './types.js'

/**
 * A Python fork is one harness process that starts its pool, warms it and measures once. Each run
 * is recorded the moment its line arrives, as Node's are; a failure ends the fork.
 */
export class PythonForkRunner implements ForkRunner {
  constructor (private readonly runtimes: Runtimes, private readonly tmpDir?: string) {}

  async run ({ spec, cell, signal }: ForkPlan, hooks: ForkHooks): Promise<string | undefined> {
    const interpreter = this.runtimes.python(cell.runtime)
    if (interpreter === undefined) return `${cellKey(cell)}: runtime ${cell.runtime} is not available on this host`
    const external = externalWorkload(spec.workload.id)
    if (external !== undefined && external.python === null) return `${cellKey(cell)}: workload ${spec.workload.id} has no Python twin on this runner (${external.module.replace(/\.m?js$/, '.py')})`
    let onTaskDone: (done: number) => void = () => {}
    // The window opens when the harness's run-start line arrives and closes at its result line, a
    // little after each; no canary: the harness times none on its threads.
    let probe: DisturbanceProbe | undefined
    // Records run one after another in the order the runs ended, while the harness goes on.
    let recorded: Promise<string | undefined> = Promise.resolve(undefined)
    let count = 0
    const record = (k: number, outcome: RunOutcome): void => {
      count = k + 1
      recorded = recorded.then(async failed => failed ?? await hooks.record(k, outcome))
    }
    const outcomes = await runPythonFork({
      workload: spec.workload.id, params: spec.workload.params, tasks: spec.tasks, executor: cell.executor, workers: cell.workers, warmup: spec.warmup, command: interpreter.command, tmpDir: this.tmpDir, module: external?.python ?? undefined
    }, {
      signal,
      taskTimeoutMs: spec.taskTimeoutMs,
      onRunStart: k => { onTaskDone = hooks.runStarted(k); probe = startDisturbance() },
      onTaskDone: done => { onTaskDone(done) },
      onRunEnd: (k, outcome) => { record(k, outcome.ok && probe !== undefined ? { ...outcome, disturbance: { ...probe.finish(), ...canaryFigures() } } : outcome) }
    })
    const failedEarlier = await recorded
    if (failedEarlier !== undefined || signal.aborted) return failedEarlier
    // What the harness did not report as it went: the failure that ended the fork.
    for (let k = count; k < outcomes.length; k++) {
      const failed = await hooks.record(k, outcomes[k] as RunOutcome)
      if (failed !== undefined) return failed
    }
    return undefined
  }
}
