import { spawn, type ChildProcess } from 'node:child_process'
import { cancelledError, ExecutorError, timeoutError } from '../../executors/errors.js'
import { LineReader } from '../../executors/line-reader.js'
import { createScratch, removeScratch } from '../../executors/scratch.js'
import type { RunOutcome } from '../../measure/measure-run.js'
import { RunParts, toFailure, toMetrics } from './convert.js'
import { checkPlan, HARNESS_ARGS, harnessEnv, PYTHON_DIR, type PythonForkControl, type PythonForkPlan } from './plan.js'
import { parseLine, PROTOCOL_VERSION, type HarnessPlan, type HelloLine, type PoolLine, type ProgressLine, type RunFailLine, type RunOkLine, type TasksLine } from './protocol.js'

/** Beyond the task timeout, how long the harness may stay silent (it sends a heartbeat every ~100 ms). */
export const SILENCE_GRACE_MS = 2000
/**
 * The harness reports the oldest running task every ~100 ms; that task may have ended since. Only
 * when heartbeats stall does the timeout go by extrapolation, and then this much later, so that a
 * task ending just under the limit is not killed for a heartbeat that had not arrived yet.
 */
const HEARTBEAT_SLACK_MS = 250
/** After the measured run's line, how long the harness gets to shut its pool down and exit. */
const SHUTDOWN_GRACE_MS = 5000
/** After the harness exits, how long its stdout/stderr may stay open (held by a stray child) before we stop reading. */
const CLOSE_WAIT_MS = 2000
/**
 * Far above any well-formed line (a `tasks` line holds at most MAX_TASKS_PER_LINE tasks, ~200 KB),
 * so only a broken harness meets it.
 */
const MAX_LINE_CHARS = 8 * 2 ** 20
const STDERR_KEEP_CHARS = 4096

/**
 * Runs one fork in the Python harness and returns its outcomes: outcome i < warmup is warm-up run i,
 * outcome `warmup` is the measured run; a failed run is the last outcome. Never throws and never
 * hangs: whatever goes wrong (no interpreter, garbage output, a crash, silence, a timeout, a cancel)
 * ends as a RunFailure, after the harness's whole process group has been SIGKILLed.
 */
export async function runPythonFork (plan: PythonForkPlan, control: PythonForkControl): Promise<RunOutcome[]> {
  const checked = checkPlan(plan, control)
  if (checked instanceof ExecutorError) return [toFailure(checked, plan.tasks, 0, new Date())]
  if (control.signal?.aborted === true) return [toFailure(cancelledError(), plan.tasks, 0, new Date())]
  // The fork's own scratch directory: its whole process group is dead when run() resolves, so
  // whatever a killed task left there goes with it.
  let scratch: string
  try {
    scratch = createScratch(checked.tmpDir)
  } catch (err) {
    return [toFailure(new ExecutorError('COREBENCH_ERR_EXECUTOR_STATE', `tmpDir cannot be used: ${(err as Error).message}`), plan.tasks, 0, new Date())]
  }
  try {
    return await new ForkSession({ ...plan, tmpDir: scratch }, control).run()
  } finally {
    removeScratch(scratch)
  }
}

class ForkSession {
  private readonly outcomes: RunOutcome[] = []
  private readonly startupTimeoutMs: number
  private child!: ChildProcess
  private resolve!: (outcomes: RunOutcome[]) => void
  private hello: HelloLine | undefined
  private helloAt = 0
  private pool: PoolLine | undefined
  private runStarted = new Date()
  /** Tasks of the current run already passed to onTaskDone. */
  private reported = 0
  /** The current run's per-task data, as its `tasks` lines arrive. */
  private parts: RunParts
  /**
   * The oldest running task as of the last progress line: when it started (on this process's
   * performance.now() clock) and whether that line already showed it past the task timeout.
   */
  private oldest: { task: number, since: number, late: boolean } | undefined
  private lastLineAt = performance.now()
  private completeAt = 0
  private readonly lines = new LineReader(line => { this.onLine(line) }, MAX_LINE_CHARS, chars => { this.protocolError(`a line longer than ${MAX_LINE_CHARS} characters (${chars} so far)`) })
  private stderr = ''
  /** How the harness process ended, once it has: e.g. `exited with code 1`. */
  private exitHow: string | undefined
  private cleanExit = false
  private closed = false
  private settled = false
  private watchdog: NodeJS.Timeout | undefined
  private closeTimer: NodeJS.Timeout | undefined
  private readonly onAbort = (): void => { this.settle(cancelledError()) }

  constructor (private readonly plan: PythonForkPlan, private readonly control: PythonForkControl) {
    this.startupTimeoutMs = control.startupTimeoutMs ?? 60_000
    this.parts = new RunParts(plan.tasks)
  }

  async run (): Promise<RunOutcome[]> {
    return await new Promise(resolve => {
      this.resolve = resolve
      this.start()
    })
  }

  private start (): void {
    const command = this.plan.command ?? 'python3'
    const env = harnessEnv()
    // detached: the harness leads a process group of its own, so one kill(-pid) reaches every pool child.
    let child: ChildProcess
    try {
      child = spawn(command, HARNESS_ARGS, { cwd: PYTHON_DIR, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] })
    } catch (err) {
      this.closed = true
      this.settle(new ExecutorError('COREBENCH_ERR_RUNTIME_UNAVAILABLE', `could not start the python interpreter ${JSON.stringify(command)}: ${(err as Error).message}`))
      return
    }
    this.child = child
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) return // a failed kill or write; 'exit' tells the rest
      this.closed = true
      const why = err.code === 'ENOENT' ? 'not found' : err.code === 'EACCES' ? 'not executable' : err.message
      this.settle(new ExecutorError('COREBENCH_ERR_RUNTIME_UNAVAILABLE', `could not start the python interpreter ${JSON.stringify(command)}: ${why}`))
    })
    if (child.pid === undefined) return
    this.control.onSpawn?.(child.pid)
    child.stdout?.setEncoding('utf8')
    child.stdout?.on('data', (chunk: string) => { this.lines.push(chunk) })
    child.stdout?.on('end', () => { this.lines.end() })
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (chunk: string) => { this.stderr = (this.stderr + chunk).slice(-STDERR_KEEP_CHARS) })
    child.on('exit', (code, signal) => { this.onExit(code, signal) })
    child.on('close', () => { this.onClose() })
    // Never ended: the harness takes the end of its stdin for the death of this process.
    child.stdin?.on('error', () => {})
    child.stdin?.write(JSON.stringify(this.harnessPlan()) + '\n')
    this.control.signal?.addEventListener('abort', this.onAbort, { once: true })
    const limit = this.control.taskTimeoutMs
    this.watchdog = setInterval(() => { this.check() }, Math.min(Math.max(limit / 10, 5), 250))
  }

  private harnessPlan (): HarnessPlan {
    const p = this.plan
    return {
      protocol: PROTOCOL_VERSION,
      workload: p.workload,
      params: p.params,
      tasks: p.tasks,
      executor: p.executor,
      workers: p.workers,
      warmup: p.warmup,
      tmpDir: p.tmpDir as string,
      startupTimeoutMs: this.startupTimeoutMs,
      ...(p.startMethod !== undefined ? { startMethod: p.startMethod } : {}),
      ...(p.module !== undefined ? { module: p.module } : {})
    }
  }

  private onLine (text: string): void {
    this.lastLineAt = performance.now()
    if (this.settled || text.trim() === '') return
    const parsed = parseLine(text)
    if (!parsed.ok) { this.protocolError(parsed.reason); return }
    const line = parsed.line
    if (this.hello === undefined) {
      if (line.type !== 'hello') { this.protocolError(`a ${line.type} line where its hello line should come first`); return }
      // A package workload is not in the hello: the harness imports its twin from the plan's module.
      if (this.plan.module === undefined && !line.workloads.includes(this.plan.workload)) { this.protocolError(`a hello without workload ${this.plan.workload} (it has ${line.workloads.join(', ')})`); return }
      this.hello = line
      this.helloAt = performance.now()
      this.control.onHello?.(line)
      return
    }
    if (line.type === 'hello') this.protocolError('a second hello line')
    else if (line.type === 'pool') this.onPool(line)
    else if (line.type === 'progress') this.onProgress(line)
    else if (line.type === 'tasks') this.onTasks(line)
    else if (line.ok) this.onRunOk(line)
    else this.onRunFail(line)
  }

  private onPool (line: PoolLine): void {
    if (this.pool !== undefined) { this.protocolError('a second pool line'); return }
    this.pool = line
    this.runStarted = new Date()
    this.control.onPool?.(line)
    this.control.onRunStart?.(0, this.plan.warmup > 0)
  }

  private onProgress (line: ProgressLine): void {
    // A heartbeat built just before a run line can arrive after it: it belongs to a finished run.
    if (line.phase !== 'run' || line.run !== this.outcomes.length || this.completeAt > 0) { this.oldest = undefined; return }
    if (line.done > this.plan.tasks) { this.protocolError(`a progress line with ${line.done} of ${this.plan.tasks} tasks done`); return }
    this.report(line.done)
    this.oldest = line.oldestTask !== null && line.oldestRunningMs !== null
      ? { task: line.oldestTask, since: performance.now() - line.oldestRunningMs, late: line.oldestRunningMs > this.control.taskTimeoutMs }
      : undefined
    this.check()
  }

  private onTasks (line: TasksLine): void {
    const expected = this.outcomes.length
    if (this.pool === undefined) { this.protocolError('a tasks line before its pool line'); return }
    if (line.run !== expected || line.from !== this.parts.received || line.from + line.checksums.length > this.plan.tasks) {
      this.protocolError(`a tasks line for tasks ${line.from}..${line.from + line.checksums.length - 1} of run ${line.run} where tasks from ${this.parts.received} of run ${expected} (of ${this.plan.tasks}) were due`)
      return
    }
    this.parts.add(line)
  }

  private onRunOk (line: RunOkLine): void {
    const expected = this.outcomes.length
    if (this.pool === undefined) { this.protocolError('a run line before its pool line'); return }
    if (line.run !== expected || line.warmup !== (expected < this.plan.warmup) || line.tasks !== this.plan.tasks) {
      this.protocolError(`a run line for run ${line.run} (warmup ${String(line.warmup)}, ${line.tasks} tasks) where run ${expected} (warmup ${String(expected < this.plan.warmup)}, ${this.plan.tasks} tasks) was due`)
      return
    }
    if (this.parts.received !== line.tasks) { this.protocolError(`a run line for run ${line.run} after tasks lines for ${this.parts.received} of its ${line.tasks} tasks`); return }
    this.report(line.tasks)
    const outcome = toMetrics(line, this.parts, this.plan.workload, this.pool.clockStepMs)
    this.outcomes.push(outcome)
    this.parts = new RunParts(this.plan.tasks)
    this.control.onRunEnd?.(this.outcomes.length - 1, outcome)
    this.reported = 0
    this.oldest = undefined
    this.runStarted = new Date()
    if (this.outcomes.length === this.plan.warmup + 1) this.completeAt = performance.now()
    else this.control.onRunStart?.(this.outcomes.length, this.outcomes.length < this.plan.warmup)
  }

  private onRunFail (line: RunFailLine): void {
    this.settle({ code: line.code, message: `${line.error} (python harness)`, task: line.task ?? undefined })
  }

  /** One call per progress line that moved: 300 000 tasks must not cost 300 000 calls at once. */
  private report (done: number): void {
    if (done <= this.reported) return
    this.reported = done
    this.control.onTaskDone?.(done, this.plan.tasks, this.outcomes.length < this.plan.warmup)
  }

  private check (): void {
    if (this.settled) return
    const at = performance.now()
    const limit = this.control.taskTimeoutMs
    const group = `the python harness's process group (pid ${this.child.pid ?? '?'}) was SIGKILLed`
    if (this.completeAt > 0) {
      if (at - this.completeAt > SHUTDOWN_GRACE_MS) this.settle()
    } else if (this.oldest !== undefined && (this.oldest.late || at - this.oldest.since > limit + HEARTBEAT_SLACK_MS)) {
      this.settle(timeoutError(this.oldest.task, limit, group))
    } else if (this.hello === undefined) {
      if (at - this.lastLineAt > this.startupTimeoutMs) this.protocolError(`nothing within the start-up timeout of ${this.startupTimeoutMs} ms (no hello line)`)
    } else if (at - this.lastLineAt > limit + SILENCE_GRACE_MS) {
      const silence = `the python harness sent nothing for ${Math.round(at - this.lastLineAt)} ms (more than the task timeout of ${limit} ms + ${SILENCE_GRACE_MS} ms) and ${group}`
      this.settle(this.pool !== undefined ? new ExecutorError('COREBENCH_ERR_TASK_TIMEOUT', silence, this.oldest?.task) : new ExecutorError('COREBENCH_ERR_HARNESS_PROTOCOL', silence))
    } else if (this.pool === undefined && at - this.helloAt > this.startupTimeoutMs + SILENCE_GRACE_MS) {
      this.settle(new ExecutorError('COREBENCH_ERR_WORKER_EXITED', `the python pool did not start within the start-up timeout of ${this.startupTimeoutMs} ms; ${group}`))
    }
  }

  private onExit (code: number | null, signal: NodeJS.Signals | null): void {
    this.exitHow = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`
    this.cleanExit = code === 0
    // Sweep the group: a pool child left behind would hold stdout/stderr open and delay 'close'.
    this.killGroup()
    this.closeTimer = setTimeout(() => {
      this.child.stdout?.destroy()
      this.child.stderr?.destroy()
      this.onClose()
    }, CLOSE_WAIT_MS)
  }

  /** All output has been read: judge an exit that came without the final result. */
  private onClose (): void {
    if (this.closed && this.settled) return
    this.closed = true
    clearTimeout(this.closeTimer)
    if (this.settled) { this.finish(); return }
    if (this.completeAt > 0) { this.settle(); return }
    const pid = this.child.pid ?? '?'
    const tail = this.stderr.trim() === '' ? '' : `; its stderr ends with: ${this.stderr.trim().slice(-1000)}`
    const due = this.hello === undefined ? 'its hello line' : this.pool === undefined ? 'its pool line' : `run ${this.outcomes.length}`
    if (this.cleanExit) this.protocolError(`nothing more: it exited with code 0 before ${due}${tail}`)
    else this.settle(new ExecutorError('COREBENCH_ERR_WORKER_EXITED', `the python harness (pid ${pid}) ${this.exitHow ?? 'closed its output'} before ${due}${tail}`))
  }

  private protocolError (what: string): void {
    this.settle(new ExecutorError('COREBENCH_ERR_HARNESS_PROTOCOL', `the python harness (${this.plan.command ?? 'python3'}, pid ${this.child?.pid ?? '?'}) broke the protocol: it sent ${what}`))
  }

  /** Ends the session once: records the failure (if any), kills the group, resolves after 'close'. */
  private settle (err?: { code: string, message: string, task?: number }): void {
    if (this.settled) return
    this.settled = true
    if (err !== undefined) this.outcomes.push(toFailure(err, this.plan.tasks, this.pool?.startupMs ?? 0, this.runStarted))
    clearInterval(this.watchdog)
    this.lines.stop()
    this.control.signal?.removeEventListener('abort', this.onAbort)
    this.killGroup()
    if (this.closed) this.finish()
  }

  private finish (): void {
    clearTimeout(this.closeTimer)
    this.resolve(this.outcomes)
  }

  private killGroup (): void {
    const pid = this.child?.pid
    if (pid === undefined) return
    try { process.kill(-pid, 'SIGKILL') } catch { /* ESRCH: the group is already gone */ }
    this.child.kill('SIGKILL')
  }
}
