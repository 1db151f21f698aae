import { performance } from 'node:perf_hooks'
import type { WebSocket } from 'ws'
import { isDroppable, isTerminal, type StreamMessage } from './messages.js'

const CLOSE_GRACE_MS = 1000

export interface ConnectionOptions {
  /** Past this many bytes waiting in the socket, progress messages are dropped. */
  maxBufferedBytes: number
  /** A client that stays past the limit this long is closed with 1013. */
  maxBehindMs: number
  pingIntervalMs: number
  onDrop: () => void
  onClose: (c: Connection) => void
}

/**
 * One object per socket: it owns the socket's timers, its backlog accounting and its subscription,
 * and releases all of them on close. The runner never waits on it: `send` only ever queues into the
 * socket or drops.
 */
export class Connection {
  private dropped = 0
  private behindSince = -1
  private alive = true
  private closed = false
  private readonly ping: NodeJS.Timeout
  /** Messages that arrived before the snapshot was sent, delivered right after it. */
  private pending: StreamMessage[] | undefined = []
  /** Highest seq of this connection's job written so far. */
  private seq = 0

  constructor (readonly socket: WebSocket, readonly jobId: string | null, private readonly opts: ConnectionOptions) {
    socket.on('pong', () => { this.alive = true })
    socket.on('close', () => { this.release() })
    socket.on('error', () => { this.release() })
    // Clients only listen; anything they send is ignored rather than trusted.
    socket.on('message', () => {})
    this.ping = setInterval(() => {
      if (!this.alive) {
        socket.terminate()
        return
      }
      this.alive = false
      socket.ping()
    }, opts.pingIntervalMs)
  }

  /**
   * The snapshot goes first; live messages that raced it follow in order, but for a job's snapshot
   * not those it already reflects (their seq is not above its own).
   */
  sendSnapshot (snapshot: StreamMessage): void {
    this.write(snapshot)
    const queued = this.pending ?? []
    this.pending = undefined
    for (const m of queued) if (snapshot.jobId === null || m.jobId !== snapshot.jobId || m.seq > snapshot.seq) this.send(m)
  }

  /** Holds live messages until the next sendSnapshot (a fresh snapshot after the bus lost messages). */
  hold (): void {
    if (!this.closed) this.pending ??= []
  }

  send (msg: StreamMessage, encoded?: string): void {
    if (this.closed) return
    if (this.pending !== undefined) {
      this.pending.push(msg)
      return
    }
    // An event the client already has: in team mode a NOTIFY from another instance can arrive after
    // the snapshot that reflects it. Only a job's terminal event may repeat the seq (a client that
    // joined after the end gets it once, with the snapshot's seq).
    if (this.jobId !== null && msg.jobId === this.jobId && (msg.seq < this.seq || (msg.seq === this.seq && !isTerminal(msg.type)))) return
    const backlog = this.socket.bufferedAmount
    if (backlog > this.opts.maxBufferedBytes) {
      // Monotonic: a wall clock stepped forward would close every slow client at once.
      const now = performance.now()
      if (this.behindSince < 0) this.behindSince = now
      if (now - this.behindSince > this.opts.maxBehindMs) {
        this.close(1013, 'client too slow: try again later')
        return
      }
      if (isDroppable(msg.type)) {
        this.dropped++
        this.opts.onDrop()
        return
      }
    } else {
      this.behindSince = -1
    }
    this.write(msg, encoded)
    if (this.jobId !== null && isTerminal(msg.type)) this.close(1000, 'job ended')
  }

  private write (msg: StreamMessage, encoded?: string): void {
    if (msg.jobId === this.jobId && msg.seq > this.seq) this.seq = msg.seq
    if (this.dropped > 0) {
      this.socket.send(JSON.stringify({ ...msg, dropped: this.dropped }))
      this.dropped = 0
    } else {
      this.socket.send(encoded ?? JSON.stringify(msg))
    }
  }

  close (code: number, reason: string): void {
    if (this.closed) return
    this.release()
    this.socket.close(code, reason)
    // A client that does not read never answers the close handshake; ws would wait 30 s for it.
    const force = setTimeout(() => { this.socket.terminate() }, CLOSE_GRACE_MS)
    this.socket.once('close', () => { clearTimeout(force) })
  }

  private release (): void {
    if (this.closed) return
    this.closed = true
    clearInterval(this.ping)
    this.opts.onClose(this)
  }
}
