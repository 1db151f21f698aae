import { EventEmitter } from 'node:events'
import { dialectOf } from '../store/url.js'
import type { JobEvent } from './events.js'

/**
 * How job events travel from whoever publishes them (the runner; the API for `job.queued` and the
 * cancel of a queued job; whichever process recovers a job) to every API instance, and how the API
 * reaches the runner (a job was queued; cancel this job). Publishing never waits on subscribers.
 *
 * Implementations: MemoryBus (one process: tests and benchmarks), the IPC channel between the server
 * and its runner child (src/jobs/ipc-bus.ts). Cancel is also durable in the queue
 * (`requestCancel`), so a message lost on the way costs at most one heartbeat.
 */
export interface JobEventBus {
  publish(event: JobEvent): void
  /** Returns the unsubscribe function. */
  subscribe(listener: (event: JobEvent) => void): () => void
  /** API → runner: a job was queued (wake up) or must stop. */
  command(cmd: RunnerCommand): void
  onCommand(listener: (cmd: RunnerCommand) => void): () => void
  /**
   * Buses that can lose messages while disconnected (LISTEN/NOTIFY is never replayed) call this once
   * they hear again, so that subscribers read what they missed from the tables. Returns the unsubscribe function.
   */
  onReconnect?: (listener: () => void) => () => void
}

export type RunnerCommand = { type: 'queued', jobId: string } | { type: 'cancel', jobId: string }

/** Both directions in one process. */
export class MemoryBus implements JobEventBus {
  private readonly emitter = new EventEmitter<{ event: [JobEvent], command: [RunnerCommand] }>()

  constructor () {
    this.emitter.setMaxListeners(0)
  }

  publish (event: JobEvent): void { this.emitter.emit('event', event) }
  subscribe (listener: (event: JobEvent) => void): () => void {
    this.emitter.on('event', listener)
    return () => { this.emitter.off('event', listener) }
  }

  command (cmd: RunnerCommand): void { this.emitter.emit('command', cmd) }
  onCommand (listener: (cmd: RunnerCommand) => void): () => void {
    this.emitter.on('command', listener)
    return () => { this.emitter.off('command', listener) }
  }
}

/** A bus with something to release at shutdown (a database session). */
export interface ClosableBus extends JobEventBus {
  close: () => Promise<void>
}

/**
 * The bus between the processes that share the database at `databaseUrl`. SQLite (one machine): the
 * processes are the server and its supervised runner, joined by IPC (see supervisor.ts), so each
 * process has an in-memory bus. PostgreSQL (team mode): LISTEN/NOTIFY (src/jobs/pg-bus.ts), so every
 * API instance and every runner on every host hears every event and command.
 */
export async function openBus (databaseUrl: string, onError: (err: unknown) => void): Promise<ClosableBus> {
  if (dialectOf(databaseUrl) === 'postgres') {
    const { PgBus } = await import('./pg-bus.js')
    return await PgBus.connect(databaseUrl, { onError })
  }
  const bus = new MemoryBus()
  return Object.assign(bus, { close: async () => {} })
}
