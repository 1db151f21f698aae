import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import type { JobEventBus } from './bus.js'
import type { JobEvent } from './events.js'
import type { JobPublisher } from './publisher.js'
import type { JobQueue } from './queue.js'
import { recoverJobs } from './recovery.js'
import { newRunnerId, type Logger } from './runner.js'
import type { LoopState } from './claim-loop.js'

/** What a runner child tells its server over IPC, and what the server tells it. */
export type ChildMessage = { kind: 'event', event: JobEvent } | { kind: 'state', state: LoopState } | { kind: 'fatal', code: string, message: string }
export type ParentMessage = { kind: 'command', cmd: Parameters<JobEventBus['command']>[0] } | { kind: 'shutdown' }

/** Exit code of a runner that found its machine held by another live runner. */
export const EXIT_MACHINE_BUSY = 3

export interface SupervisorOptions {
  /** The runner's entry file and the node flags to run it with. */
  entry: string
  execArgv: string[]
  env: NodeJS.ProcessEnv
  bus: JobEventBus
  queue: JobQueue
  publisher: JobPublisher
  requeue: boolean
  logger: Logger
  restartMs: { first: number, max: number }
  /** How long a shutdown may take before the runner is killed. */
  closeTimeoutMs: number
}

export type SupervisedState = { state: 'starting' } | { state: 'restarting', since: Date, reason: string } | { state: 'closed' } | LoopState

/**
 * Runs one local runner as a child process and keeps it running: events it sends are published on
 * the server's bus, commands on the bus go to it. When it exits (kill -9, crash, out of memory) the
 * job it held becomes `interrupted` at once with the exit as the reason, and it is started again
 * with back-off. A child that lived a minute resets the back-off.
 */
export class RunnerSupervisor {
  private child: ChildProcess | undefined
  private runnerId: string | undefined
  private closing = false
  private restarts = 0
  private restartTimer: NodeJS.Timeout | undefined
  private status: SupervisedState = { state: 'starting' }
  private readonly unsubscribe: () => void

  constructor (private readonly opts: SupervisorOptions) {
    this.unsubscribe = opts.bus.onCommand(cmd => { this.send({ kind: 'command', cmd }) })
  }

  get state (): SupervisedState {
    return this.status
  }

  get pid (): number | undefined {
    return this.child?.pid
  }

  start (): void {
    const runnerId = newRunnerId()
    this.runnerId = runnerId
    const startedAt = performance.now()
    const child = fork(this.opts.entry, [], { env: { ...this.opts.env, RUNNER_ID: runnerId }, execArgv: this.opts.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    this.child = child
    let fatal: string | undefined
    child.on('message', (m: ChildMessage) => {
      if (m.kind === 'event') this.opts.bus.publish(m.event)
      else if (m.kind === 'state') this.status = m.state
      else if (m.kind === 'fatal') fatal = m.message
    })
    // An IPC write to a child that just died fails asynchronously: the exit handler deals with it.
    child.on('error', (err) => { this.opts.logger.warn({ err }, 'runner: IPC error') })
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = undefined
      if (this.closing) return
      const how = signal !== null ? `signal ${signal}` : `code ${String(code)}`
      const reason = fatal ?? `the runner process exited with ${how}`
      this.status = { state: 'restarting', since: new Date(), reason }
      if (code === EXIT_MACHINE_BUSY) this.opts.logger.warn({ reason }, 'runner: cannot start; will retry')
      else this.opts.logger.error({ code, signal, runnerId }, `runner: ${reason}; its job (if any) is interrupted and it restarts`)
      void recoverJobs(this.opts.queue, this.opts.publisher, { runnerId, requeue: this.opts.requeue, reason })
        .catch((err: unknown) => { this.opts.logger.error({ err }, 'runner: could not recover the job of the runner that exited') })
        .finally(() => { this.scheduleRestart(performance.now() - startedAt) })
    })
  }

  /** Asks the runner to stop (its running job is cancelled and stored), then waits; kills it after closeTimeoutMs. */
  async close (): Promise<void> {
    this.closing = true
    clearTimeout(this.restartTimer)
    this.unsubscribe()
    const child = this.child
    this.status = { state: 'closed' }
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
    const exited = once(child, 'exit')
    this.send({ kind: 'shutdown' })
    let killed = false
    const timer = setTimeout(() => { killed = true; child.kill('SIGKILL') }, this.opts.closeTimeoutMs)
    await exited
    clearTimeout(timer)
    // It could not record its job itself: say why the job ended here.
    if (killed && this.runnerId !== undefined) {
      await recoverJobs(this.opts.queue, this.opts.publisher, { runnerId: this.runnerId, requeue: this.opts.requeue, reason: `the runner did not stop within ${this.opts.closeTimeoutMs} ms of the shutdown and was killed` })
        .catch((err: unknown) => { this.opts.logger.error({ err }, 'runner: could not recover the job of the runner that was killed') })
    }
  }

  private scheduleRestart (livedMs: number): void {
    if (this.closing) return
    if (livedMs > 60_000) this.restarts = 0
    const delay = Math.min(this.opts.restartMs.first * 2 ** this.restarts, this.opts.restartMs.max)
    this.restarts++
    this.restartTimer = setTimeout(() => { if (!this.closing) this.start() }, delay)
  }

  private send (m: ParentMessage): void {
    const child = this.child
    if (child?.connected === true) child.send(m, (err) => { if (err != null) this.opts.logger.warn({ err }, 'runner: IPC send failed') })
  }
}
