import { LineReader } from '../src/executors/line-reader.js'
import { threadCpuNs } from '../src/executors/thread-cpu.js'
import { discoverPython } from '../src/runtimes/python/index.js'
import { stat, type Stat } from './lib.js'
import { forkChild, jobEnded, jobView, phase, startCorebench, submitJob } from './service.js'

// Issue 15 §5: a large output must not stall the process that reads it.
// 1. The line reader alone: one 20 MB line in 64 KB chunks, against the least any reader must do
//    (scan every chunk once, join them once). Thread CPU time, so a busy machine does not blur it.
// 2. The whole service: a Python job of 300 000 tiny tasks (its per-task data is ~20 MB of JSON)
//    while another process polls GET /api/health every 20 ms over loopback; meanwhile the API
//    thread's longest stretch of CPU between two turns of its event loop.

export const LARGE_OUTPUT_SPEC = {
  name: 'bench: large output',
  workload: { id: 'sum-range', params: { n: 1 } },
  tasks: 300_000,
  runtimes: ['python'],
  executors: ['serialized'],
  repetitions: 1,
  warmup: 0,
  taskTimeoutMs: 60_000
}

const READER_GOAL = 3
const HEALTH_GOAL_MS = 100

export interface LargeOutputResult {
  reader: { ms: Stat, baselineMs: Stat, ratio: number, goal: string, met: boolean }
  /** Undefined when this host has no Python 3.8+. */
  job?: { status: string, jobMs: number, health: { worstMs: number, p99Ms: number, non200: number, samples: number }, worstTurnCpuMs: number, goal: string, met: boolean }
}

const cpuMs = (): number => (threadCpuNs() ?? performance.now() * 1e6) / 1e6

function readerRound (): { ms: number, baselineMs: number } {
  const chunks: string[] = []
  const text = 'x'.repeat(20 * 2 ** 20) + '\n'
  for (let i = 0; i < text.length; i += 65_536) chunks.push(text.slice(i, i + 65_536))
  let got = 0
  let t0 = cpuMs()
  const r = new LineReader(l => { got = l.length }, 64 * 2 ** 20, () => { throw new Error('bench: line too long') })
  for (const c of chunks) r.push(c)
  r.end()
  const ms = cpuMs() - t0
  t0 = cpuMs()
  let nl = 0
  for (const c of chunks) nl += c.indexOf('\n') >= 0 ? 1 : 0
  const joined = chunks.join('').length
  const baselineMs = cpuMs() - t0
  if (got !== text.length - 1 || nl !== 1 || joined !== text.length) throw new Error('bench: the line reader lost data')
  return { ms, baselineMs }
}

export async function benchLargeOutput (reps: number): Promise<LargeOutputResult> {
  const rounds = Array.from({ length: reps + 1 }, readerRound).slice(1)
  const ms = stat(rounds.map(r => r.ms))
  const baselineMs = stat(rounds.map(r => r.baselineMs))
  const ratio = ms.median / baselineMs.median
  const out: LargeOutputResult = { reader: { ms, baselineMs, ratio, goal: `≤ ${READER_GOAL}×`, met: ratio <= READER_GOAL } }
  if ((await discoverPython()).interpreters.length === 0) return out

  const t0 = performance.now()
  const svc = await startCorebench({ MAX_TASKS: '300000' })
  const poller = await forkChild('./health-poller-child.ts')
  try {
    let prev = cpuMs()
    let worstTurnCpuMs = 0
    const tick = setInterval(() => { const c = cpuMs(); worstTurnCpuMs = Math.max(worstTurnCpuMs, c - prev); prev = c }, 5)
    await poller.call({ cmd: 'start', url: `${svc.base}/api/health` })
    const started = performance.now()
    const id = await submitJob(svc.app, LARGE_OUTPUT_SPEC)
    await jobEnded(svc.app, id, 300_000)
    const jobMs = performance.now() - started
    clearInterval(tick)
    const { samples } = await poller.call<{ samples: Array<{ ms: number, status: number }> }>({ cmd: 'stop' })
    const latencies = samples.map(s => s.ms).sort((a, b) => a - b)
    const worstMs = latencies.at(-1) ?? NaN
    const non200 = samples.filter(s => s.status !== 200).length
    const status = (await jobView(svc.app, id)).status as string
    phase(`large output: job ${status} in ${(jobMs / 1000).toFixed(1)} s, worst health ${worstMs.toFixed(0)} ms, worst loop turn ${worstTurnCpuMs.toFixed(0)} ms CPU`, t0)
    out.job = {
      status,
      jobMs,
      health: { worstMs, p99Ms: latencies[Math.floor(0.99 * (latencies.length - 1))] ?? NaN, non200, samples: samples.length },
      worstTurnCpuMs,
      goal: `every answer 200 and < ${HEALTH_GOAL_MS} ms`,
      met: status === 'finished' && non200 === 0 && worstMs < HEALTH_GOAL_MS
    }
  } finally {
    await poller.close()
    await svc.close()
  }
  return out
}

export function largeOutputMarkdown (r: LargeOutputResult): string[] {
  const f = (v: number, d = 1): string => Number.isFinite(v) ? v.toFixed(d) : 'n/a'
  const range = (s: Stat): string => `${f(s.median)} (${f(s.min)}–${f(s.max)})`
  const yes = (met: boolean): string => met ? 'yes' : '**no**'
  const rows = [
    `| line reader: one 20 MB line in 64 KB chunks, CPU ms | ${range(r.reader.ms)} vs one scan + join ${range(r.reader.baselineMs)} = ${f(r.reader.ratio, 2)}× | ${r.reader.goal} | ${yes(r.reader.met)} |`
  ]
  if (r.job !== undefined) {
    const j = r.job
    rows.push(`| python job of ${LARGE_OUTPUT_SPEC.tasks} tasks (${j.status}, ${f(j.jobMs / 1000)} s): GET /api/health every 20 ms from another process | worst ${f(j.health.worstMs, 0)} ms, p99 ${f(j.health.p99Ms, 0)} ms, ${j.health.non200} of ${j.health.samples} not 200; API thread's longest loop turn ${f(j.worstTurnCpuMs, 0)} ms CPU | ${j.goal} | ${yes(j.met)} |`)
  }
  return ['', '## Large output (issue 15 §5)', '', '| case | measured | goal | met |', '| --- | --- | --- | --- |', ...rows,
    ...r.job === undefined ? ['', 'No Python 3.8+ on this host: the job case was skipped.'] : []]
}
