import autocannon, { type Result as CannonResult } from 'autocannon'
import { setTimeout as delay } from 'node:timers/promises'
import { serveParent } from './service.js'

// The load generator of the api benchmark, forked by api.ts. It runs in its own process because
// autocannon in the server's process would share the server's event loop: every response it parses
// would be a callback the server cannot run meanwhile, so req/s and latency would measure the pair
// of them, not the server. In a child it competes for cores, not for the thread; its own CPU use
// is reported (`generatorCores`) so a saturated generator is visible instead of passing for a slow server.
//
// Two modes: `run` is autocannon's closed loop (N connections, each sends its next request when the
// last one is answered). `paced` is an open loop at a fixed rate, evenly spaced, written here because
// autocannon's own `overallRate` lets each connection send its quota at the start of every second
// (bursts of `rate` requests, then silence) and, with a rate, folds coordinated-omission padding into
// its histogram at a 1 ms interval; neither is what a steady poller does. Paced latency is measured
// from the request's scheduled time, so a stalled server cannot hide the requests it delayed.
// `poll-start` / `poll-stop` (runner.ts): N clients, each sending its next GET as soon as the last one
// is answered, for as long as a job lasts rather than for a fixed time. `start` / `stop`: autocannon's
// closed loop until told to stop (or its `duration` as a cap), for windows that end on an event.

export interface LoadResult {
  /** 2xx responses per second of the run's duration. */
  okPerSec: number
  ok: number
  non2xx: number
  errors: number
  timeouts: number
  statusCodes: Record<string, number>
  latency: { p50: number, p90: number, p99: number, max: number, mean: number }
  durationS: number
  /** CPU the generator itself used, in cores (1 = one core busy all the time). */
  generatorCores: number
}

const pct = (sorted: number[], p: number): number => sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100 * sorted.length) - 1))]

async function paced (url: string, rate: number, durationS: number): Promise<LoadResult> {
  const cpu0 = process.cpuUsage()
  const interval = 1000 / rate
  const n = Math.round(rate * durationS)
  const t0 = performance.now() + 20
  const latencies: number[] = []
  const statusCodes: Record<string, number> = {}
  let ok = 0; let non2xx = 0; let errors = 0
  const inflight: Array<Promise<void>> = []
  for (let i = 0; i < n; i++) {
    const at = t0 + i * interval
    const wait = at - performance.now()
    if (wait > 0) await delay(wait)
    inflight.push(fetch(url).then(async (res) => {
      await res.arrayBuffer()
      latencies.push(performance.now() - at)
      statusCodes[res.status] = (statusCodes[res.status] ?? 0) + 1
      if (res.status >= 200 && res.status < 300) ok++
      else non2xx++
    }, () => { errors++ }))
  }
  await Promise.all(inflight)
  const wallMs = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  const s = latencies.sort((a, b) => a - b)
  return {
    okPerSec: ok / (wallMs / 1000),
    ok,
    non2xx,
    errors,
    timeouts: 0,
    statusCodes,
    latency: { p50: pct(s, 50), p90: pct(s, 90), p99: pct(s, 99), max: s[s.length - 1] ?? NaN, mean: s.reduce((a, b) => a + b, 0) / s.length },
    durationS: wallMs / 1000,
    generatorCores: (cpu.user + cpu.system) / 1000 / wallMs
  }
}

export interface PollResult {
  ok: number
  non2xx: number
  errors: number
  statusCodes: Record<string, number>
  /** 2xx responses per second from poll-start to poll-stop. */
  okPerSec: number
  durationS: number
  generatorCores: number
}

interface Polling { stop: boolean, loops: Array<Promise<void>>, counts: { ok: number, non2xx: number, errors: number }, statusCodes: Record<string, number>, t0: number, cpu0: NodeJS.CpuUsage }
let polling: Polling | undefined

function pollStart (url: string, clients: number): void {
  if (polling !== undefined) throw new Error('poll-start: already polling')
  const p: Polling = { stop: false, loops: [], counts: { ok: 0, non2xx: 0, errors: 0 }, statusCodes: {}, t0: performance.now(), cpu0: process.cpuUsage() }
  const loop = async (): Promise<void> => {
    while (!p.stop) {
      try {
        const res = await fetch(url)
        await res.arrayBuffer()
        p.statusCodes[res.status] = (p.statusCodes[res.status] ?? 0) + 1
        if (res.status >= 200 && res.status < 300) p.counts.ok++
        else p.counts.non2xx++
      } catch {
        p.counts.errors++
        // A refused connection fails at once: do not spin on it.
        await delay(10)
      }
    }
  }
  for (let i = 0; i < clients; i++) p.loops.push(loop())
  polling = p
}

async function pollStop (): Promise<PollResult> {
  const p = polling
  if (p === undefined) throw new Error('poll-stop: not polling')
  p.stop = true
  await Promise.all(p.loops)
  polling = undefined
  const wallMs = performance.now() - p.t0
  const cpu = process.cpuUsage(p.cpu0)
  return { ...p.counts, statusCodes: p.statusCodes, okPerSec: p.counts.ok / (wallMs / 1000), durationS: wallMs / 1000, generatorCores: (cpu.user + cpu.system) / 1000 / wallMs }
}

function loadResult (r: CannonResult, cpu0: NodeJS.CpuUsage, t0: number): LoadResult {
  const cpu = process.cpuUsage(cpu0)
  const wallMs = performance.now() - t0
  return {
    okPerSec: r['2xx'] / r.duration,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats).map(([k, v]) => [k, v.count])),
    latency: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max, mean: r.latency.mean },
    durationS: r.duration,
    generatorCores: (cpu.user + cpu.system) / 1000 / wallMs
  }
}

let cannon: { run: ReturnType<typeof autocannon>, cpu0: NodeJS.CpuUsage, t0: number } | undefined

serveParent(async (msg) => {
  if (msg.cmd === 'start') {
    if (cannon !== undefined) throw new Error('start: already running')
    cannon = { cpu0: process.cpuUsage(), t0: performance.now(), run: autocannon(msg.opts) }
    return {}
  }
  if (msg.cmd === 'stop') {
    const c = cannon
    if (c === undefined) throw new Error('stop: not running')
    cannon = undefined
    c.run.stop()
    return { result: loadResult(await c.run, c.cpu0, c.t0) }
  }
  if (msg.cmd === 'paced') return { result: await paced(msg.url, msg.rate, msg.durationS) }
  if (msg.cmd === 'poll-start') {
    pollStart(msg.url, msg.clients)
    return {}
  }
  if (msg.cmd === 'poll-stop') return { result: await pollStop() }
  if (msg.cmd !== 'run') throw new Error(`unknown command ${String(msg.cmd)}`)
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  return { result: loadResult(await autocannon(msg.opts), cpu0, t0) }
})
