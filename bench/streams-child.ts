import { WebSocket } from 'ws'
import { isFinalEvent, JOB_EVENTS } from '../src/schemas/vocabulary.js'
import { serveParent } from './service.js'

// The stream subscribers of the streams benchmark, in their own process (forked by streams.ts).
// They run outside the server's process on purpose: in-process clients would parse 200 sockets'
// frames on the server's own event loop — the thread that also dispatches the job's tasks — and so
// charge the server for work that real clients do on their own machines. What remains on the
// server's thread is exactly the hub's fan-out. The child's CPU is counted as ours by load.ts.

interface Received { type: string, seq: number, at: number, recv: number, dropped: number }

interface Socket {
  kind: 'global' | 'job'
  ws: WebSocket
  snapshotSeq: number | undefined
  msgs: Received[]
  closeCode: number | undefined
  closed: Promise<void>
  ended: boolean
}

export interface SocketSummary {
  kind: 'global' | 'job'
  counts: Record<string, number>
  progress: number
  /** Progress messages per second between job.started and the terminal event (server clock). */
  progressPerSec: number
  /** Most progress messages whose server `at` falls in any 1 s window. */
  progressPeak1s: number
  dropped: number
  /** Messages of the job whose seq did not increase. */
  seqErrors: number
  /** Missing seq numbers not accounted for by a `dropped` count. */
  unexplainedGaps: number
  /** Server `at` → arrival here, lifecycle messages only: the largest. */
  maxLagMs: number
  closeCode: number | null
}

// The lifecycle messages whose lag counts: every event but progress and job.queued.
const LIFECYCLE = new Set<string>(JOB_EVENTS.filter(t => t !== 'progress' && t !== 'job.queued'))

let sockets: Socket[] = []
/** CPU of this process since the sockets were opened: what the clients took from the shared cores. */
let cpuAtOpen: NodeJS.CpuUsage | undefined

function open (url: string, kind: Socket['kind'], jobId: string): Promise<Socket> {
  const ws = new WebSocket(url)
  const s: Socket = { kind, ws, snapshotSeq: undefined, msgs: [], closeCode: undefined, closed: Promise.resolve(), ended: false }
  s.closed = new Promise(resolve => ws.once('close', (code) => { s.closeCode = code; resolve() }))
  return new Promise((resolve, reject) => {
    ws.once('error', reject)
    ws.on('message', (data) => {
      const recv = Date.now()
      const m = JSON.parse(data.toString())
      if (m.type === 'snapshot') {
        s.snapshotSeq = m.seq
        resolve(s)
        return
      }
      if (m.jobId !== jobId) return
      s.msgs.push({ type: m.type, seq: m.seq, at: Date.parse(m.at), recv, dropped: m.dropped ?? 0 })
      if (isFinalEvent(m.type)) s.ended = true
    })
  })
}

function summarize (s: Socket): SocketSummary {
  const counts: Record<string, number> = {}
  let seqErrors = 0
  let unexplainedGaps = 0
  let dropped = 0
  let maxLagMs = 0
  let prev = s.kind === 'job' ? s.snapshotSeq : undefined
  for (const m of s.msgs) {
    counts[m.type] = (counts[m.type] ?? 0) + 1
    dropped += m.dropped
    if (prev !== undefined) {
      if (m.seq <= prev) seqErrors++
      else unexplainedGaps += Math.max(0, m.seq - prev - 1 - m.dropped)
    }
    prev = m.seq
    if (LIFECYCLE.has(m.type)) maxLagMs = Math.max(maxLagMs, m.recv - m.at)
  }
  const progressAt = s.msgs.filter(m => m.type === 'progress').map(m => m.at)
  let peak = 0
  for (let i = 0, j = 0; i < progressAt.length; i++) {
    while (progressAt[i] - progressAt[j] >= 1000) j++
    peak = Math.max(peak, i - j + 1)
  }
  const start = s.msgs.find(m => m.type === 'job.started')?.at
  const end = s.msgs.find(m => isFinalEvent(m.type))?.at
  const span = start !== undefined && end !== undefined ? (end - start) / 1000 : NaN
  return {
    kind: s.kind,
    counts,
    progress: progressAt.length,
    progressPerSec: progressAt.length / span,
    progressPeak1s: peak,
    dropped,
    seqErrors,
    unexplainedGaps,
    maxLagMs,
    closeCode: s.closeCode ?? null
  }
}

serveParent(async (msg) => {
  if (msg.cmd === 'open') {
    const t0 = performance.now()
    const ws = msg.base.replace(/^http/, 'ws')
    const opening: Array<Promise<Socket>> = []
    for (let i = 0; i < msg.global; i++) opening.push(open(`${ws}/api/stream`, 'global', msg.jobId))
    for (let i = 0; i < msg.job; i++) opening.push(open(`${ws}/api/jobs/${msg.jobId}/stream`, 'job', msg.jobId))
    sockets = await Promise.all(opening)
    cpuAtOpen = process.cpuUsage()
    return { openMs: performance.now() - t0 }
  }
  if (msg.cmd === 'collect') {
    // Every socket must have had the job's terminal event (job sockets: and the server's close).
    const deadline = Date.now() + (msg.timeoutMs ?? 15_000)
    while (Date.now() < deadline && sockets.some(s => !s.ended)) await new Promise(resolve => setTimeout(resolve, 20))
    await Promise.race([Promise.all(sockets.filter(s => s.kind === 'job').map(async s => { await s.closed })), new Promise(resolve => setTimeout(resolve, Math.max(0, deadline - Date.now())))])
    const cpu = process.cpuUsage(cpuAtOpen)
    const out = sockets.map(summarize)
    for (const s of sockets) if (s.ws.readyState !== WebSocket.CLOSED) s.ws.close(1000)
    await Promise.race([Promise.all(sockets.map(async s => { await s.closed })), new Promise(resolve => setTimeout(resolve, 3000))])
    for (const s of sockets) if (s.ws.readyState !== WebSocket.CLOSED) s.ws.terminate()
    sockets = []
    return { sockets: out, cpuMs: (cpu.user + cpu.system) / 1000 }
  }
  throw new Error(`unknown command ${String(msg.cmd)}`)
})
