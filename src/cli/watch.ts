import cliProgress from 'cli-progress'
import WebSocket from 'ws'
import { apiError, connectionError, type Client, jobPath } from './client.js'
import { fixed, ms, safe } from './format.js'
import { CliError, type Output, writeLine } from './io.js'
import type { JobListItem, JobView, Run } from '../schemas/job-view.js'
import type { RunProgress, RunRef, StreamMessage } from '../schemas/stream.js'
// The server's own cells and keys (`threaded/2` in Node, `python/threaded/2` in Python); cells.ts
// imports only types, so the CLI does not load the workload catalog with it.
import { cellKey, cells } from '../schemas/cells.js'
import { isFinalEvent } from '../schemas/vocabulary.js'

// Follows one job over WS /api/jobs/:id/stream (README "Streams"): a snapshot, then lifecycle and
// progress events, then a terminal event after which the server closes with 1000.

/** How long a watcher keeps reconnecting to a stream it lost (a server restart, say), and its back-off. */
export const RECONNECT_WINDOW_MS = 60_000
const RECONNECT_DELAY_MS = { first: 250, max: 5000 }

export interface WatchOptions {
  /** Progress bars (a terminal) or one line per finished run (pipes, files, CI logs). */
  bars: boolean
  out: Output
  /** Stops following (the job keeps running): Ctrl-C in the bin. */
  signal?: AbortSignal
  /** See RECONNECT_WINDOW_MS. */
  reconnectWindowMs?: number
}

export interface WatchResult {
  type: string
  job: JobListItem
}

interface CellState {
  key: string
  tasks: number
  runsTotal: number
  repetitions: number
  /** Runs (warm-up or recorded) known to be over. */
  done: number
  recorded: number
  failed: number
  inflight: boolean
  inflightDone: number
  last: string
  bar?: cliProgress.SingleBar
}

/** Bars or lines for every cell of one job; knows nothing about sockets. */
class Display {
  private cells = new Map<string, CellState>()
  private current: CellState | undefined
  private multibar: cliProgress.MultiBar | undefined

  constructor (private readonly opts: WatchOptions, private readonly id: string) {}

  /** (Re)builds every cell's state from a snapshot: the first one, or the one after a reconnect. */
  snapshot (view: JobView): void {
    const spec = view.spec
    // Every repetition is a fork: a fresh pool, its warm-ups, then the recorded run.
    const rounds = spec.repetitions * (spec.warmup + 1)
    const fresh = this.cells.size === 0
    for (const cell of cells(spec)) {
      const key = cellKey(cell)
      const runs = view.runs.filter(r => cellKey(r) === key)
      const recorded = runs.filter(r => !r.warmup)
      const state: CellState = this.cells.get(key) ?? { key, tasks: spec.tasks, runsTotal: rounds, repetitions: spec.repetitions, done: 0, recorded: 0, failed: 0, inflight: false, inflightDone: 0, last: '' }
      state.recorded = recorded.length
      state.failed = runs.filter(r => !r.ok).length
      // Warm-ups are not stored unless they fail: each recorded run implies its fork's warm-ups.
      state.done = recorded.length * (spec.warmup + 1) + (runs.length - recorded.length)
      state.inflight = false
      const lastRun = recorded.at(-1)
      if (lastRun !== undefined) state.last = lastRun.ok ? ms(lastRun.wallMs) : 'failed'
      this.cells.set(key, state)
    }
    this.current = undefined
    const cur = view.progress.current
    if (cur !== null) {
      const state = this.cells.get(cellKey(cur))
      if (state !== undefined) {
        state.inflight = true
        state.inflightDone = cur.runDone
        this.current = state
      }
    }
    if (fresh) this.start(view)
    this.render()
  }

  private start (view: JobView): void {
    const spec = view.spec
    // Before the bars exist: the bars own the lines below the cursor from then on.
    const runtimes = spec.runtimes.length > 1 || spec.runtimes[0] !== 'node' ? ` in ${spec.runtimes.join(' and ')}` : ''
    this.line(`job ${this.id}: ${spec.workload.id} ${JSON.stringify(spec.workload.params)}${runtimes}, ${spec.tasks} tasks, ${this.cells.size} cells × ${spec.repetitions} recorded runs, each on a fresh pool after ${spec.warmup} unrecorded warm-up run${spec.warmup === 1 ? '' : 's'}${view.status === 'queued' ? '; queued, waiting for the runner' : ''}`)
    if (!this.opts.bars) return
    const width = Math.max(...[...this.cells.keys()].map(k => k.length))
    this.multibar = new cliProgress.MultiBar({
      stream: this.opts.out as NodeJS.WritableStream,
      format: '{cell} |{bar}| {percentage}% | {runs} | {last}',
      barsize: 30,
      hideCursor: true,
      clearOnComplete: false,
      autopadding: true,
      fps: 10
    }, cliProgress.Presets.shades_classic)
    for (const c of this.cells.values()) {
      c.bar = this.multibar.create(c.runsTotal * c.tasks, 0, { cell: c.key.padEnd(width), runs: '', last: '' })
    }
  }

  started (ref: RunRef): void {
    this.settleCurrent()
    const state = this.cells.get(cellKey(ref))
    if (state === undefined) return
    state.inflight = true
    state.inflightDone = 0
    this.current = state
    this.render()
  }

  progress (p: RunProgress): void {
    const state = this.cells.get(cellKey(p))
    if (state === undefined || !state.inflight) return
    state.inflightDone = p.runDone
    this.render()
  }

  finished (run: Run): void {
    const state = this.cells.get(cellKey(run))
    if (state === undefined) return
    if (state.inflight) {
      state.inflight = false
      state.done++
      if (this.current === state) this.current = undefined
    }
    if (!run.warmup) state.recorded++
    if (!run.ok) state.failed++
    state.last = run.ok ? ms(run.wallMs) : 'failed'
    const which = run.warmup ? 'warm-up' : `run ${run.fork + 1}/${state.repetitions}`
    const text = run.ok
      ? `${state.key} ${which}: ${ms(run.wallMs)} wall, ${fixed(run.busyCores, 2)} cores busy${run.verified === false ? ', CHECKSUM MISMATCH' : ''}`
      : `${state.key} ${which}: FAILED${run.error === null ? '' : ` ${run.error.code}: ${run.error.message}`}`
    if (this.multibar === undefined) this.line(text)
    else if (!run.ok || run.verified === false) this.multibar.log(`${safe(text)}\n`)
    this.render()
  }

  note (text: string): void {
    if (this.multibar === undefined) this.line(text)
    else this.multibar.log(`${safe(text)}\n`)
  }

  /** The job ended (or we stop following it): settle the bars and leave the terminal clean. */
  stop (ended: boolean): void {
    if (ended) this.settleCurrent()
    this.render()
    this.multibar?.stop()
    this.multibar = undefined
  }

  /** A warm-up's end is not announced: the next run.started (runs go one at a time) or the job's end says it. */
  private settleCurrent (): void {
    const c = this.current
    if (c?.inflight === true) {
      c.inflight = false
      c.done++
    }
    this.current = undefined
  }

  private render (): void {
    for (const c of this.cells.values()) {
      const value = Math.min(c.runsTotal * c.tasks, c.done * c.tasks + (c.inflight ? c.inflightDone : 0))
      c.bar?.update(value, { runs: `${runsLabel(c)}${c.failed > 0 ? ` (${c.failed} failed)` : ''}`, last: c.last })
    }
  }

  /** One line: whatever of it came from the server (a run's error, params) cannot add lines or control the terminal. */
  private line (text: string): void {
    writeLine(this.opts.out, safe(text))
  }
}

/**
 * `runs 2/3` when there are no warm-ups; otherwise the recorded runs and the warm-ups apart
 * (`recorded 1/3, warm-up 2/3`), so that 3 repetitions never read as "runs 0/6".
 */
function runsLabel (c: CellState): string {
  const warmupsTotal = c.runsTotal - c.repetitions
  const done = Math.min(c.done, c.runsTotal)
  if (warmupsTotal === 0) return `runs ${done}/${c.runsTotal}`
  const warmups = Math.min(warmupsTotal, Math.max(0, done - c.recorded))
  return `recorded ${c.recorded}/${c.repetitions}, warm-up ${warmups}/${warmupsTotal}`
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
