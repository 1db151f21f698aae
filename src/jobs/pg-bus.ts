import { EventEmitter } from 'node:events'
import pg from 'pg'
import type { JobEventBus, RunnerCommand } from './bus.js'
import type { JobEvent } from './events.js'

/** The channels every process of a team LISTENs on. */
export const EVENTS_CHANNEL = 'corebench_events'
export const COMMANDS_CHANNEL = 'corebench_commands'

/**
 * Largest NOTIFY payload sent as is, in bytes. PostgreSQL refuses payloads of 8000 bytes or more;
 * the margin leaves room for the channel name and multi-byte text.
 */
export const NOTIFY_LIMIT_BYTES = 7_000

/** Events published while the database is unreachable, held for when it is back; older ones are dropped. */
const MAX_BUFFERED = 10_000
/** Spilled events older than this are deleted: every listener has read them long before. */
const SPILL_TTL = '1 hour'

export interface PgBusOptions {
  /** A publish or a listen that failed; the bus goes on (and reconnects). */
  onError: (err: unknown) => void
  /** Called after the listening connection came back: events sent meanwhile were not received. */
  onReconnect?: () => void
  /** Delays (ms) between reconnection attempts, the last one repeated. */
  backoffMs?: readonly number[]
}

type Notice = JobEvent | { spilled: { jobId: string, seq: number } }

/**
 * A JobEventBus over PostgreSQL LISTEN/NOTIFY, for processes on several hosts: every API instance and
 * every runner LISTENs, and a NOTIFY reaches all of them at commit. Events of one publisher arrive in
 * the order published (one publishing session; PostgreSQL delivers a session's notifications in
 * order). NOTIFY is never replayed: a listener that was disconnected misses what was sent meanwhile,
 * and is told so through `onReconnect` (the stream hub then reads the job's state from the tables).
 * An event larger than NOTIFY_LIMIT_BYTES is written to `_corebench_event_spill` and only its key is
 * notified. A database outage is survived: both sessions reconnect with back-off, and events published
 * meanwhile are sent when the publishing session is back (up to MAX_BUFFERED).
 */
export class PgBus implements JobEventBus {
  private readonly emitter = new EventEmitter<{ event: [JobEvent], command: [RunnerCommand], reconnect: [] }>()
  private readonly backoff: readonly number[]
  private listener?: pg.Client
  private publisher?: pg.Client
  /** Reads spilled events; its own session, so that reading never waits behind the outbox. */
  private reader?: pg.Client
  /** Notifications are handled one at a time, so that a spilled event keeps its place in the order. */
  private inbox: Promise<void> = Promise.resolve()
  private readonly outbox: Array<{ channel: string, payload: string, spill?: JobEvent }> = []
  private flushing = false
  private closed = false
  private ready!: Promise<void>

  private constructor (private readonly url: string, private readonly opts: PgBusOptions) {
    this.emitter.setMaxListeners(0)
    this.backoff = opts.backoffMs ?? [100, 250, 500, 1000, 2000]
  }

  /** Connects both sessions and LISTENs; resolves once notifications are being received. */
  static async connect (url: string, opts: PgBusOptions): Promise<PgBus> {
    const bus = new PgBus(url, opts)
    bus.ready = bus.listen(false)
    await bus.ready
    return bus
  }

  publish (event: JobEvent): void {
    const payload = JSON.stringify(event)
    if (Buffer.byteLength(payload) <= NOTIFY_LIMIT_BYTES) {
      this.send(EVENTS_CHANNEL, payload)
    } else {
      this.send(EVENTS_CHANNEL, JSON.stringify({ spilled: { jobId: event.jobId, seq: event.seq } }), event)
    }
  }

  subscribe (listener: (event: JobEvent) => void): () => void {
    this.emitter.on('event', listener)
    return () => { this.emitter.off('event', listener) }
  }

  command (cmd: RunnerCommand): void {
    this.send(COMMANDS_CHANNEL, JSON.stringify(cmd))
  }

  onCommand (listener: (cmd: RunnerCommand) => void): () => void {
    this.emitter.on('command', listener)
    return () => { this.emitter.off('command', listener) }
  }

  onReconnect (listener: () => void): () => void {
    this.emitter.on('reconnect', listener)
    return () => { this.emitter.off('reconnect', listener) }
  }

  /** Resolves when everything published so far has been handed to PostgreSQL. */
  async drain (): Promise<void> {
    while (!this.closed && (this.outbox.length > 0 || this.flushing)) await new Promise(resolve => setTimeout(resolve, 5))
  }

  /** Sends what is still waiting (for at most `drainMs`: the database may be gone), then ends both sessions. */
  async close (drainMs = 2000): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    await Promise.race([this.drain(), new Promise(resolve => { timer = setTimeout(resolve, drainMs) })])
    clearTimeout(timer)
    this.closed = true
    await Promise.allSettled([this.listener?.end(), this.publisher?.end(), this.reader?.end()])
  }

  private send (channel: string, payload: string, spill?: JobEvent): void {
    if (this.closed) return
    this.outbox.push({ channel, payload, spill })
    if (this.outbox.length > MAX_BUFFERED) {
      this.outbox.shift()
      this.opts.onError(new Error(`pg bus: more than ${MAX_BUFFERED} events waiting for the database; the oldest was dropped`))
    }
    void this.flush()
  }

  /** Sends the outbox in order on one session; on a failure keeps the message and reconnects. */
  private async flush (): Promise<void> {
    if (this.flushing) return
    this.flushing = true
    try {
      while (this.outbox.length > 0 && !this.closed) {
        const msg = this.outbox[0]
        try {
          const client = this.publisher ?? (this.publisher = await this.open())
          if (msg.spill !== undefined) {
            await client.query(`INSERT INTO "_corebench_event_spill" ("jobId", "seq", "event") VALUES ($1, $2, $3)
              ON CONFLICT ("jobId", "seq") DO UPDATE SET "event" = EXCLUDED."event", "createdAt" = now()`, [msg.spill.jobId, msg.spill.seq, JSON.stringify(msg.spill)])
          }
          await client.query('SELECT pg_notify($1, $2)', [msg.channel, msg.payload])
          this.outbox.shift()
          if (msg.spill !== undefined && Math.random() < 0.01) {
            await client.query(`DELETE FROM "_corebench_event_spill" WHERE "createdAt" < now() - interval '${SPILL_TTL}'`)
          }
        } catch (err) {
          this.opts.onError(err)
          const dead = this.publisher
          this.publisher = undefined
          await dead?.end().catch(() => {})
          await this.pause(0)
        }
      }
    } finally {
      this.flushing = false
    }
  }

  private async open (): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.url })
    // An error on an idle session (the server restarted) must not crash the process: the next query fails and reconnects.
    client.on('error', err => { this.opts.onError(err) })
    await client.connect()
    return client
  }

  /** (Re)opens the listening session; retries with back-off until it LISTENs or the bus is closed. */
  private async listen (reconnecting: boolean): Promise<void> {
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        const client = new pg.Client({ connectionString: this.url })
        client.on('notification', msg => {
          this.inbox = this.inbox.then(async () => { await this.receive(msg.channel, msg.payload ?? '') })
        })
        client.on('error', err => { this.lost(client, err) })
        client.on('end', () => { this.lost(client, new Error('pg bus: the listening session ended')) })
        await client.connect()
        await client.query(`LISTEN ${EVENTS_CHANNEL}`)
        await client.query(`LISTEN ${COMMANDS_CHANNEL}`)
        this.listener = client
        if (reconnecting) {
          this.opts.onReconnect?.()
          this.emitter.emit('reconnect')
        }
        return
      } catch (err) {
        if (!reconnecting) throw err
        this.opts.onError(err)
        await this.pause(attempt)
      }
    }
  }

  private lost (client: pg.Client, err: unknown): void {
    if (this.closed || this.listener !== client) return
    this.listener = undefined
    this.opts.onError(err)
    void client.end().catch(() => {})
    this.ready = this.listen(true)
  }

  private async receive (channel: string, payload: string): Promise<void> {
    try {
      if (channel === COMMANDS_CHANNEL) {
        this.emitter.emit('command', JSON.parse(payload) as RunnerCommand)
        return
      }
      const notice = JSON.parse(payload) as Notice
      if (!('spilled' in notice)) {
        this.emitter.emit('event', notice)
        return
      }
      const client = this.reader ?? (this.reader = await this.open())
      const { rows } = await client.query<{ event: string }>('SELECT "event" FROM "_corebench_event_spill" WHERE "jobId" = $1 AND "seq" = $2', [notice.spilled.jobId, notice.spilled.seq])
      if (rows[0] !== undefined) this.emitter.emit('event', JSON.parse(rows[0].event) as JobEvent)
    } catch (err) {
      this.opts.onError(err)
      const dead = this.reader
      this.reader = undefined
      await dead?.end().catch(() => {})
    }
  }

  private async pause (attempt: number): Promise<void> {
    const ms = this.backoff[Math.min(attempt, this.backoff.length - 1)]
    await new Promise(resolve => setTimeout(resolve, ms))
  }
}
