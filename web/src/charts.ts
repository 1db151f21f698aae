// uPlot charts: speedup vs workers (with the ideal y = x and 95 % intervals as error bars) and one
// metric over time for a spec's history (baseline and current job marked). Linear scales throughout.
import uPlot from 'uplot'
import * as fmt from './format.js'
import type { CellSummary } from '../../src/schemas/summary.js'
import type { History } from '../../src/schemas/history.js'

export const EXECUTOR_COLORS: Record<string, string> = {
  serialized: '#5b6472',
  async: '#b45309',
  threaded: '#1d4ed8',
  process: '#15803d'
}

/** Node draws solid lines with filled points; each Python runtime its own dash and hollow points. */
export const RUNTIME_DASH: Record<string, number[] | undefined> = {
  node: undefined,
  python: [8, 4],
  'python-nogil': [2, 3]
}

/** Live charts by name, for debugging in the console and for the browser test. */
export const charts: Record<string, uPlot | undefined> = {}
;(window as unknown as { corebench: unknown }).corebench = { charts }

export interface ChartHandle {
  update: (cells: CellSummary[]) => void
  destroy: () => void
}

const AXIS = { stroke: '#334155', grid: { stroke: '#e2e8f0', width: 1 }, ticks: { stroke: '#cbd5e1', width: 1 }, font: '12px system-ui, sans-serif', labelFont: '600 12px system-ui, sans-serif' }

function heightFor (el: HTMLElement): number {
  return el.clientWidth < 500 ? 240 : 300
}

function fit (el: HTMLElement, u: uPlot): ResizeObserver {
  let last = el.clientWidth
  const ro = new ResizeObserver(() => {
    const w = el.clientWidth
    if (w > 0 && w !== last) {
      last = w
      u.setSize({ width: w, height: heightFor(el) })
    }
  })
  ro.observe(el)
  return ro
}

interface ScalingData {
  data: uPlot.AlignedData
  series: uPlot.Series[]
  ci: Array<Array<[number, number] | null>>
  maxY: number
  maxX: number
  points: number
  cores: number | null
}

/**
 * `cores`: the usable cores for CPU-bound work, where the ideal speedup is min(workers, cores);
 * null for waiting work, where it is y = x.
 */
function scalingData (cells: CellSummary[], cores: number | null): ScalingData {
  const executors = [...new Set(cells.map(c => c.executor))]
  const measured = [1, ...cells.map(c => c.workers)]
  const measuredMax = Math.max(...measured)
  // The ideal line bends at the core count: give it a point there when the sweep crosses it.
  const xs = [...new Set([...measured, ...(cores !== null && cores < measuredMax ? [cores] : [])])].sort((a, b) => a - b)
  const maxX = xs.at(-1) ?? 1
  const ideal = (x: number): number => cores === null ? x : Math.min(x, cores)
  const series: uPlot.Series[] = [{ label: 'workers' }, {
    label: cores === null ? 'ideal (y = x)' : `ideal (min(workers, ${cores} cores))`,
    stroke: '#94a3b8',
    dash: [6, 4],
    width: 1.5,
    points: { show: false },
    value: (_u, v) => v == null ? fmt.DASH : `${v}×`
  }]
  const data: Array<Array<number | null>> = [xs, xs.map(ideal)]
  const ci: Array<Array<[number, number] | null>> = [[], []]
  let maxY = ideal(maxX)
  let points = 0
  // Runtime × executor, runtime-major as the job ran them; each speedup is against the serialized
  // run of its own runtime, so Python threads sit near 1× under the GIL and Node threads do not.
  const runtimes = [...new Set(cells.map(c => c.runtime))]
  const named = runtimes.length > 1 || runtimes[0] !== 'node'
  for (const runtime of runtimes) {
    for (const executor of executors) {
      const mine = cells.filter(c => c.runtime === runtime && c.executor === executor)
      if (mine.length === 0) continue
      const ys = xs.map(x => mine.find(c => c.workers === x)?.speedup ?? null)
      const intervals = xs.map(x => mine.find(c => c.workers === x)?.speedupCi95 ?? null)
      for (const y of ys) if (y !== null) { points++; maxY = Math.max(maxY, y) }
      const color = EXECUTOR_COLORS[executor] ?? '#7c3aed'
      const dash = RUNTIME_DASH[runtime] ?? (runtime === 'node' ? undefined : [4, 4])
      series.push({
        label: named ? `${runtime} ${executor}` : executor,
        stroke: color,
        width: 2,
        dash,
        spanGaps: true,
        points: { show: true, size: 8, width: 2, fill: dash === undefined ? color : '#ffffff', stroke: color },
        value: (_u, v) => fmt.times(v)
      })
      data.push(ys)
      ci.push(intervals)
    }
  }
  return { data: data as uPlot.AlignedData, series, ci, maxY, maxX, points, cores }
}

/** Speedup vs workers per runtime × executor, the ideal line, the core count, and the speedups' 95 % intervals. */
export function scalingChart (el: HTMLElement, cells: CellSummary[], cores: number | null = null): ChartHandle {
  let sd = scalingData(cells, cores)
  // A dotted vertical line at the usable cores, labelled: past it CPU-bound work cannot speed up.
  const coreMark = (u: uPlot): void => {
    if (sd.cores === null || sd.cores > sd.maxX) return
    const ctx = u.ctx
    const x = u.valToPos(sd.cores, 'x', true)
    ctx.save()
    ctx.strokeStyle = '#64748b'
    ctx.setLineDash([2 * devicePixelRatio, 3 * devicePixelRatio])
    ctx.lineWidth = devicePixelRatio
    ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke()
    ctx.fillStyle = '#334155'
    ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`
    ctx.fillText(`${sd.cores} usable cores`, x + 4 * devicePixelRatio, u.bbox.top + 12 * devicePixelRatio)
    ctx.restore()
  }
  const errorBars = (u: uPlot): void => {
    const ctx = u.ctx
    ctx.save()
    // Intervals of noisy cells can be far wider than the chart: clip them to the plot area.
    ctx.beginPath()
    ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height)
    ctx.clip()
    ctx.lineWidth = 1.5 * devicePixelRatio
    for (let s = 2; s < u.series.length; s++) {
      const intervals = sd.ci[s]
      if (intervals === undefined) continue
      ctx.strokeStyle = String(sd.series[s]?.stroke ?? '#333')
      for (let i = 0; i < intervals.length; i++) {
        const r = intervals[i]
        if (r == null || !Number.isFinite(r[0]) || !Number.isFinite(r[1])) continue
        const x = u.valToPos(u.data[0][i] as number, 'x', true)
        const y0 = u.valToPos(r[0], 'y', true)
        const y1 = u.valToPos(r[1], 'y', true)
        const cap = 4 * devicePixelRatio
        ctx.beginPath()
        ctx.moveTo(x, y0); ctx.lineTo(x, y1)
        ctx.moveTo(x - cap, y0); ctx.lineTo(x + cap, y0)
        ctx.moveTo(x - cap, y1); ctx.lineTo(x + cap, y1)
        ctx.stroke()
      }
    }
    ctx.restore()
  }
  const opts: uPlot.Options = {
    width: el.clientWidth || 600,
    height: heightFor(el),
    title: undefined,
    scales: {
      x: { time: false, range: () => [0, sd.maxX + Math.max(0.5, sd.maxX * 0.05)] },
      y: { range: () => [0, Math.ceil(sd.maxY * 1.15 * 2) / 2] }
    },
    axes: [
      { ...AXIS, label: 'workers (threads or processes)', incrs: [1, 2, 4, 8, 16, 32, 64, 128], values: (_u, ticks) => ticks.map(t => String(t)) },
      { ...AXIS, label: 'speedup vs serialized (×)', size: 52, values: (_u, ticks) => ticks.map(t => `${t}×`) }
    ],
    series: sd.series,
    cursor: { drag: { x: false, y: false }, points: { size: 10 } },
    legend: { live: true },
    hooks: { draw: [errorBars, coreMark] }
  }
  let u = new uPlot(opts, sd.data, el)
  let ro = fit(el, u)
  u.root.setAttribute('aria-hidden', 'true')
  el.dataset.points = String(sd.points)
  charts.scaling = u
  return {
    update (next) {
      const seriesBefore = sd.series.map(s => s.label).join()
      sd = scalingData(next, cores)
      el.dataset.points = String(sd.points)
      if (sd.series.map(s => s.label).join() === seriesBefore) {
        u.setData(sd.data)
      } else {
        // The runtimes or executors changed: uPlot cannot add series with data in place cleanly; rebuild.
        ro.disconnect(); u.destroy()
        u = new uPlot({ ...opts, width: el.clientWidth || 600, series: sd.series }, sd.data, el)
        u.root.setAttribute('aria-hidden', 'true')
        ro = fit(el, u)
        charts.scaling = u
      }
    },
    destroy () {
      ro.disconnect()
      u.destroy()
      if (charts.scaling === u) charts.scaling = undefined
    }
  }
}

export const METRIC_LABELS: Record<string, { label: string, format: (v: number | null) => string }> = {
  medianWallMs: { label: 'median wall time (ms)', format: fmt.ms },
  speedup: { label: 'speedup vs serialized (×)', format: v => fmt.times(v) },
  efficiency: { label: 'efficiency (speedup / workers)', format: v => fmt.pct(v) },
  busyCores: { label: 'busy cores', format: v => fmt.num(v) },
  throughput: { label: 'throughput (tasks/s)', format: v => fmt.num(v, 1) },
  startupMs: { label: 'pool start-up (ms)', format: fmt.ms },
  medianColdWallMs: { label: 'cold wall time (ms)', format: fmt.ms },
  cv: { label: 'coefficient of variation', format: v => fmt.pct(v, 1) }
}

/** One metric over time; the baseline job and the current job are marked with their own series. */
export function historyChart (el: HTMLElement, h: History, currentJobId: string): { destroy: () => void } {
  const pts = h.points.filter(p => p.value !== null)
  const xs = pts.map(p => Math.floor(new Date(p.createdAt).getTime() / 1000))
  // uPlot needs strictly increasing x; jobs created in the same second are nudged apart.
  for (let i = 1; i < xs.length; i++) if ((xs[i] as number) <= (xs[i - 1] as number)) xs[i] = (xs[i - 1] as number) + 1
  const values = pts.map(p => p.value)
  const lo = pts.map(p => p.ci95?.[0] ?? null)
  const hi = pts.map(p => p.ci95?.[1] ?? null)
  const baseline = pts.map(p => p.isBaseline ? p.value : null)
  const current = pts.map(p => p.jobId === currentJobId ? p.value : null)
  const m = METRIC_LABELS[h.metric] ?? { label: h.metric, format: (v: number | null) => fmt.num(v) }
  const hasCi = lo.some(v => v !== null)
  const series: uPlot.Series[] = [
    {},
    { label: h.cell, stroke: '#1d4ed8', width: 2, points: { show: true, size: 6, fill: '#1d4ed8' }, value: (_u, v) => m.format(v) },
    { label: 'baseline', stroke: '#c2410c', width: 0, paths: () => null, points: { show: true, size: 14, width: 3, stroke: '#c2410c', fill: '#fff7ed' }, value: (_u, v) => m.format(v) },
    { label: 'this job', stroke: '#15803d', width: 0, paths: () => null, points: { show: true, size: 11, width: 3, stroke: '#15803d', fill: '#f0fdf4' }, value: (_u, v) => m.format(v) }
  ]
  const data: Array<Array<number | null>> = [xs, values, baseline, current]
  const bands: uPlot.Band[] = []
  if (hasCi) {
    series.push({ label: '95 % CI high', stroke: 'rgba(29,78,216,0.25)', width: 1, points: { show: false }, value: (_u, v) => m.format(v) })
    series.push({ label: '95 % CI low', stroke: 'rgba(29,78,216,0.25)', width: 1, points: { show: false }, value: (_u, v) => m.format(v) })
    data.push(hi, lo)
    bands.push({ series: [4, 5], fill: 'rgba(29,78,216,0.08)' })
  }
  // Change points (E-Divisive, from the API): the first job after each change, ringed in red.
  const changed = new Set((h.changePoints ?? []).map(c => c.jobId))
  series.push({ label: 'change point', stroke: '#b91c1c', width: 0, paths: () => null, points: { show: true, size: 18, width: 2, stroke: '#b91c1c', fill: 'transparent' }, value: (_u, v) => m.format(v) })
  data.push(pts.map(p => changed.has(p.jobId) ? p.value : null))
  const single = xs.length <= 1
  const opts: uPlot.Options = {
    width: el.clientWidth || 600,
    height: heightFor(el),
    scales: {
      x: { time: true, range: single ? (_u, min, max) => [min - 3600, max + 3600] : undefined },
      y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.15 : 1] }
    },
    axes: [
      { ...AXIS, label: 'job created' },
      { ...AXIS, label: m.label, size: 64, values: (_u, ticks) => ticks.map(t => m.format(t)) }
    ],
    series,
    bands,
    cursor: { drag: { x: false, y: false } },
    legend: { live: true }
  }
  const u = new uPlot(opts, data as uPlot.AlignedData, el)
  u.root.setAttribute('aria-hidden', 'true')
  el.dataset.points = String(pts.length)
  el.dataset.changePoints = String(changed.size)
  const ro = fit(el, u)
  charts.history = u
  return {
    destroy () {
      ro.disconnect()
      u.destroy()
      if (charts.history === u) charts.history = undefined
    }
  }
}
