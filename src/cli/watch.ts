import WebSocket from 'ws'
import { apiError, connectionError, type Client, jobPath } from './client.js'
import { CliError } from './io.js'
import { Display, type DisplayOptions } from './progress-display.js'
import type { JobListItem, JobView } from '../schemas/job-view.js'
import type { StreamMessage } from '../schemas/stream.js'
import { isFinalEvent } from '../schemas/vocabulary.js'

// Follows one job over WS /api/jobs/:id/stream (README "Streams"): a snapshot, then lifecycle and
// progress events, then a terminal event after which the server closes with 1000.

/** How long a watcher keeps reconnecting to a stream it lost (a server restart, say), and its back-off. */
export const RECONNECT_WINDOW_MS = 60_000
const RECONNECT_DELAY_MS = { first: 250, max: 5000 }

export interface WatchOptions extends DisplayOptions {
  /** Stops following (the job keeps running): Ctrl-C in the bin. */
  signal?: AbortSignal
  /** See RECONNECT_WINDOW_MS. */
  reconnectWindowMs?: number
}

export interface WatchResult {
  type: string
  job: JobListItem
}

/**
 * Follows a job to its end and resolves with the terminal event. A lost connection (a server
 * restart, 1013 for a client that fell behind, a refused reconnect while the server is down) is
 * retried with back-off for up to RECONNECT_WINDOW_MS after the last good connection, saying so;
 * the new snapshot rebuilds the display. A server that is not there at the first attempt is an error.
 */
export async function watchJob (client: Client, id: string, opts: WatchOptions): Promise<WatchResult> {
  const display = new Display(opts, id)
  let attempt = 0
  let seen = false
  let lostAt = 0
  try {
    for (;;) {
      const outcome = await follow(client, id, display, opts.signal, seen)
      if (outcome.kind === 'end') {
        // Only a finished job completed its last run; a cancelled or failed one stopped it midway.
        display.stop(outcome.result.type === 'job.finished')
        return outcome.result
      }
      if (outcome.kind === 'snapshotted' || attempt === 0) {
        attempt = 0
        lostAt = performance.now()
      }
      seen ||= outcome.kind === 'snapshotted'
      const delay = Math.min(RECONNECT_DELAY_MS.first * 2 ** attempt++, RECONNECT_DELAY_MS.max)
      if (performance.now() + delay - lostAt > (opts.reconnectWindowMs ?? RECONNECT_WINDOW_MS)) {
        throw new CliError(`lost the stream of job ${id} (${outcome.why}) and could not reconnect for ${Math.round((performance.now() - lostAt) / 1000)} s; follow it with \`corebench show ${id}\``, 'ESTREAM')
      }
      display.note(`stream lost (${outcome.why}); reconnecting in ${(delay / 1000).toFixed(delay < 1000 ? 2 : 0)} s (attempt ${attempt})…`)
      await new Promise(resolve => setTimeout(resolve, delay))
    }
  } finally {
    display.stop(false)
  }
}

type Outcome =
  | { kind: 'end', result: WatchResult }
  | { kind: 'snapshotted' | 'dropped', why: string }

/** One WebSocket connection: resolves when it closes, rejects on an answer that retrying will not fix. */
async function follow (client: Client, id: string, display: Display, signal: AbortSignal | undefined, reconnecting: boolean): Promise<Outcome> {
  return await new Promise<Outcome>((resolve, reject) => {
    const ws = new WebSocket(client.wsUrl(`${jobPath(id)}/stream`), { headers: client.headers(), handshakeTimeout: 30_000 })
    let snapshotted = false
    let terminal: WatchResult | undefined
    let failure: Error | undefined
    let settled = false
    const done = (fn: () => void): void => {
      if (settled) return
      settled = true
      signal?.removeEventListener('abort', onAbort)
      fn()
    }
    const onAbort = (): void => {
      ws.terminate()
      done(() => { reject(new CliError(`stopped watching; job ${id} keeps running (corebench show ${id})`, null, 130)) })
    }
    if (signal?.aborted === true) { onAbort(); return }
    signal?.addEventListener('abort', onAbort, { once: true })

    ws.on('unexpected-response', (_req, res) => {
      // Not upgraded: an API error (401, 404 route, proxy) with a body to read.
      // An error body is a few hundred bytes; whatever answered (a proxy, another service) gets 64 KB.
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { if (body.length < 65_536) body += chunk })
      res.on('end', () => {
        ws.terminate()
        done(() => { reject(apiError(res.statusCode ?? 0, res.statusMessage ?? '', body)) })
      })
    })
    ws.on('error', (err) => {
      if (!snapshotted && failure === undefined) {
        // Before this connection's snapshot: the server is not there (refused, DNS, TLS). At the
        // first attempt that is the user's error to fix; later it is a restart to wait out.
        if (reconnecting) done(() => { resolve({ kind: 'dropped', why: connectionError(err, client.base).message }) })
        else done(() => { reject(connectionError(err, client.base)) })
      }
    })
    ws.on('message', (raw) => {
      let msg: StreamMessage
      try {
        msg = JSON.parse(raw.toString()) as StreamMessage
      } catch {
        return
      }
      try {
        handle(msg)
      } catch (err) {
        failure = err as Error
        ws.close(1000)
      }
    })
    ws.on('close', (code, reason) => {
      done(() => {
        if (failure !== undefined) reject(failure)
        else if (terminal !== undefined) resolve({ kind: 'end', result: terminal })
        else resolve({ kind: snapshotted ? 'snapshotted' : 'dropped', why: `code ${code}${reason.length > 0 ? ` ${reason.toString()}` : ''}` })
      })
    })

    function handle (msg: StreamMessage): void {
      switch (msg.type) {
        case 'error': {
          failure = new CliError(msg.data.message, msg.data.code)
          return
        }
        case 'snapshot':
          snapshotted = true
          display.snapshot(msg.data as JobView)
          return
        case 'job.started':
          display.note(`job ${id} started`)
          return
        case 'run.started':
          display.started(msg.data)
          return
        case 'progress':
          display.progress(msg.data)
          return
        case 'run.finished':
          display.finished(msg.data)
          return
      }
      if (isFinalEvent(msg.type)) terminal = { type: msg.type, job: msg.data as JobListItem }
    }
  })
}
