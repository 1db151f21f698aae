import type { JobEventBus } from '../jobs/bus.js'
import type { JobEvent } from '../jobs/events.js'
import type { Connection } from './connection.js'
import type { StreamMessage } from './messages.js'

/**
 * The one place job events become stream messages: each event from the bus, already numbered by
 * the job's own counter, is encoded once and offered to the job's subscribers and to every global
 * subscriber.
 */
export class StreamHub {
  private readonly byJob = new Map<string, Set<Connection>>()
  private readonly global = new Set<Connection>()
  private readonly unsubscribe: () => void
  private readonly unsubscribeReconnect: () => void

  /**
   * `resync` sends a connection a fresh snapshot read from the tables (after `hold`): called for every
   * connection when the bus says it may have lost events (its database session came back).
   */
  constructor (bus: JobEventBus, resync: (c: Connection) => Promise<void>) {
    this.unsubscribe = bus.subscribe(e => { this.publish(e) })
    this.unsubscribeReconnect = bus.onReconnect?.(() => {
      for (const c of this.connections()) {
        c.hold()
        void resync(c)
      }
    }) ?? (() => {})
  }

  add (c: Connection): void {
    if (c.jobId === null) {
      this.global.add(c)
    } else {
      let set = this.byJob.get(c.jobId)
      if (set === undefined) this.byJob.set(c.jobId, set = new Set())
      set.add(c)
    }
  }

  remove (c: Connection): void {
    if (c.jobId === null) {
      this.global.delete(c)
      return
    }
    const set = this.byJob.get(c.jobId)
    set?.delete(c)
    if (set?.size === 0) this.byJob.delete(c.jobId)
  }

  get clients (): number {
    let n = this.global.size
    for (const set of this.byJob.values()) n += set.size
    return n
  }

  closeAll (code: number, reason: string): void {
    this.unsubscribe()
    this.unsubscribeReconnect()
    for (const c of this.connections()) c.close(code, reason)
  }

  private connections (): Connection[] {
    return [...this.global, ...[...this.byJob.values()].flatMap(s => [...s])]
  }

  private publish (e: JobEvent): void {
    const msg: StreamMessage = { type: e.type, jobId: e.jobId, seq: e.seq, at: e.at, data: e.data }
    const encoded = JSON.stringify(msg)
    for (const c of this.byJob.get(e.jobId) ?? []) c.send(msg, encoded)
    for (const c of this.global) c.send(msg, encoded)
  }
}
