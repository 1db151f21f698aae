// Job page: live progress from WS /api/jobs/:id/stream (snapshot, then progress / run.finished /
// job.* events), the scaling chart, where the time goes, the summary table with intervals, the
// shared-counter result, warnings, runs and report links.
import { api, download, reportUrl, thisHost } from '../api.js'
import { scalingChart, EXECUTOR_COLORS, type ChartHandle } from '../charts.js'
import { hostCoresText } from '../../../src/host/describe.js'
import { h, replace, text } from '../dom.js'
import * as fmt from '../format.js'
import { compareHref, jobHref, navigate, setLive, type Page } from '../nav.js'
import { openStream } from '../stream.js'
import { getToken } from '../token.js'
import { cellProgress } from '../progress.js'
import { cellKey, cellLabel, cells, namesRuntime } from '../../../src/schemas/cells.js'
import { isFinalEvent, isFinalStatus } from '../../../src/schemas/vocabulary.js'
import type { CellSummary } from '../../../src/schemas/summary.js'
import type { JobListItem, JobView, Run } from '../../../src/schemas/job-view.js'
import type { RunProgress, RunRef } from '../../../src/schemas/stream.js'
import { describeRuntime, errorBox, pageHeading, scrollTable, shortHost } from '../ui.js'
import { explain, type GlossaryTerm } from '../glossary.js'

const rank = (status: string): number => status === 'queued' ? 0 : status === 'running' ? 1 : 2

export async function renderJob (main: HTMLElement, id: string): Promise<Page> {
  let view: JobView
  try {
    view = await api.job(id)
  } catch (err) {
    replace(main, pageHeading('Job not found'), errorBox(err), h('p', null, h('a', { href: '#/' }, 'Back to the jobs')))
    return { title: 'Job not found' }
  }
  const host = await thisHost()

  // Static frame; the parts below are refreshed in place.
  const statusEl = h('span', { id: 'job-status', class: 'badge', role: 'status', 'aria-live': 'polite' })
  const meta = h('dl', { class: 'meta' })
  const actions = h('div', { class: 'actions' })
  const actionMsg = h('div', { role: 'alert' })
  const notices = h('div', { class: 'notices' })
  const answerText = h('p', { id: 'job-answer-text' })
  const answerSection = h('section', { 'aria-labelledby': 'answer-title', class: 'card answer', id: 'job-answer', hidden: true },
    h('h2', { id: 'answer-title' }, 'Answer'), answerText)
  const overall = h('progress', { id: 'job-progress', max: 1, value: 0, 'aria-label': 'Tasks done in this job' })
  const overallText = h('p', { class: 'progress-text', id: 'job-progress-text' })
  const cellList = h('ul', { class: 'cell-progress' })
  const progressSection = h('section', { 'aria-labelledby': 'progress-title', class: 'card' },
    h('h2', { id: 'progress-title' }, 'Progress'), overall, overallText, cellList)
  const chartBox = h('div', { id: 'scaling-chart', class: 'chart' })
  const chartFigure = h('figure', { hidden: true }, chartBox,
    h('figcaption', null, 'Speedup over the serialized run of the same runtime against the number of workers, per runtime and executor (Python runtimes dashed, hollow points). The grey dashed line is ideal scaling for CPU-bound work, min(workers, usable cores), flat past the marked core count; bars are 95 % bootstrap intervals (from 6 repetitions).'))
  const chartNote = h('div', { class: 'chart-note' })
  const chartSection = h('section', { 'aria-labelledby': 'scaling-title', class: 'card' },
    h('h2', { id: 'scaling-title' }, 'Scaling'),
    chartFigure,
    chartNote)
  const timeSection = h('section', { 'aria-labelledby': 'time-title', class: 'card' })
  const summarySection = h('section', { 'aria-labelledby': 'summary-title', class: 'card' })
  const sharedSection = h('section', { 'aria-labelledby': 'shared-title', class: 'card', hidden: true })
  const runsSection = h('section', { 'aria-labelledby': 'runs-title', class: 'card' })
  const title = h('h1', { tabindex: '-1', id: 'job-title' })

  replace(main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, '← Jobs')),
    h('div', { class: 'page-head' }, title, statusEl),
    meta, actions, actionMsg, notices, answerSection, progressSection, chartSection, timeSection, summarySection, sharedSection, runsSection)

  let chart: ChartHandle | undefined

  // Which interpreters ran the job, when it ran here: this server's, as found at its start.
  const runtimesRan = (ids: readonly string[]): string => ids.map(id => {
    const info = host?.runtimes.find(r => r.id === id)
    return view.hostId !== null && view.hostId === host?.id && info?.available === true ? `${id} (${describeRuntime(info)})` : id
  }).join(' · ')
  const renderHeader = (): void => {
    text(title, view.name)
    text(statusEl, view.status)
    statusEl.className = `badge status-${view.status}`
    const spec = view.spec
    const item = (k: string, v: string | Node): HTMLElement[] => [h('dt', null, k), h('dd', null, v)]
    replace(meta,
      item('Workload', h('span', null, h('code', null, spec.workload.id), ' ', fmt.params(spec.workload.params))),
      namesRuntime(spec.runtimes) ? item('Runtimes', runtimesRan(spec.runtimes)) : [],
      item('Sweep', `${spec.tasks} tasks · ${spec.executors.join(', ')} · workers ${spec.workers.join(', ')} · ${spec.repetitions} reps, each on a fresh pool after ${spec.warmup} warm-up`),
      item('Created', fmt.date(view.createdAt)),
      item('Ran', view.startedAt === null ? 'not yet' : `${fmt.date(view.startedAt)} for ${fmt.duration(view.startedAt, view.finishedAt)}`),
      item('Host', h('span', { title: view.hostId ?? '' }, shortHost(view.hostId, host?.id ?? null), host !== null && view.hostId === host.id ? ` · ${hostCoresText(host)}` : '')),
      item('Spec', h('code', { title: 'Jobs with the same spec hash can be compared' }, view.specHash)),
      view.versions === null ? [] : item('Versions', h('span', { id: 'job-versions' }, `${view.versions.workload.source === 'builtin' ? 'built-in workload' : `${view.versions.workload.id} ${view.versions.workload.version} (${view.versions.workload.source})`} · Node ${view.versions.node}${view.versions.python === null ? '' : ` · ${view.versions.python}`} · corebench ${view.versions.corebench}`)),
      Object.keys(view.tags).length > 0 ? item('Tags', Object.entries(view.tags).map(([k, v]) => `${k}=${v}`).join(' · ')) : [])
    const active = !isFinalStatus(view.status)
    const cancel = active ? h('button', { type: 'button', class: 'danger', id: 'cancel-job' }, 'Cancel job') : null
    cancel?.addEventListener('click', () => {
      cancel.disabled = true
      api.cancel(view.id).then(() => { replace(actionMsg, h('p', { class: 'muted' }, 'Cancelling…')) }, (err) => { cancel.disabled = false; replace(actionMsg, errorBox(err)) })
    })
    const again = h('button', { type: 'button', class: 'secondary', id: 'run-again' }, 'Run again')
    again.addEventListener('click', () => {
      again.disabled = true
      api.submit(view.spec).then((res) => { navigate(jobHref(res.id)) }, (err) => { again.disabled = false; replace(actionMsg, errorBox(err, 'Could not submit: ')) })
    })
    replace(actions,
      cancel,
      again,
      h('a', { class: 'button-link', href: compareHref(view.id), id: 'compare-link' }, 'Compare & history'),
      h('span', { class: 'reports' }, 'Report: ', (['md', 'csv', 'json'] as const).flatMap((f, i) => [i > 0 ? ' · ' : null, ...reportLinks(view.id, f, actionMsg)])))
    answerSection.hidden = view.answer == null
    text(answerText, view.answer ?? '')
    const warnings = [...new Set([...view.warnings, ...(view.summary?.warnings ?? [])])]
    replace(notices,
      view.error !== null ? h('div', { class: 'alert error' }, h('strong', null, `Job ${view.status}: `), view.error) : null,
      warnings.length > 0
        ? h('div', { class: 'alert warn', id: 'job-warnings' }, h('strong', null, 'Warnings'), h('ul', null, warnings.map(w => h('li', { class: w.startsWith('IMPOSSIBLE') ? 'impossible' : '' }, w))))
        : null)
  }

  const cellBars = new Map<string, { bar: HTMLProgressElement, label: HTMLElement }>()
  const renderProgress = (): void => {
    const { tasksDone, tasksTotal, current } = view.progress
    const done = view.status === 'finished' ? tasksTotal : tasksDone
    overall.max = Math.max(1, tasksTotal)
    overall.value = Math.min(done, tasksTotal)
    let line: string
    if (view.status === 'queued') line = 'Queued: waiting for the jobs ahead of it.'
    else if (view.status === 'running' && current === null) line = `Starting the pools… ${done} of ${tasksTotal} tasks`
    else if (view.status === 'running' && current !== null) {
      const rep = current.warmup ? `warm-up run (not recorded) before repetition ${current.fork + 1} of ${view.spec.repetitions}` : `recorded repetition ${current.fork + 1} of ${view.spec.repetitions}`
      line = `${done} of ${tasksTotal} tasks · now ${cellLabel(current, namesRuntime(view.spec.runtimes))}, ${rep} (${current.runDone}/${current.runTotal})`
    } else line = `${done} of ${tasksTotal} tasks · ${view.status}`
    text(overallText, line)
    const per = cellProgress(view)
    if (cellBars.size !== per.size) {
      cellBars.clear()
      const names = new Map(cells(view.spec).map(c => [cellKey(c), cellLabel(c, namesRuntime(view.spec.runtimes))]))
      replace(cellList, [...per.keys()].map(key => {
        const name = names.get(key) ?? key
        const bar = h('progress', { max: 1, value: 0, 'aria-label': `${name} progress` })
        const label = h('span', { class: 'small muted' })
        cellBars.set(key, { bar, label })
        return h('li', { 'data-cell': key }, h('span', { class: 'cell-key' }, name), bar, label)
      }))
    }
    for (const [key, p] of per) {
      const b = cellBars.get(key)
      if (b === undefined) continue
      b.bar.max = Math.max(1, p.total)
      b.bar.value = p.done
      text(b.label, `${Math.round(p.done / Math.max(1, p.total) * 100)} %`)
    }
    progressSection.hidden = false
  }

  const renderResults = (): void => {
    const cells = view.summary?.cells ?? []
    const measured = cells.filter(c => c.medianWallMs !== null)
    // Scaling chart: created once there is something to draw, then updated in place.
    chartFigure.hidden = measured.length === 0
    if (measured.length === 0) {
      replace(chartNote, h('p', { class: 'muted' }, view.status === 'queued' ? 'The chart appears once the first runs are measured.' : 'No measured runs yet.'))
    } else {
      // Waiting work overlaps past the cores: its ideal line stays y = x.
      const cores = view.summary?.cpuBound === false ? null : view.summary?.cores ?? host?.usableCores ?? null
      if (chart === undefined) { replace(chartBox); chart = scalingChart(chartBox, cells, cores) } else chart.update(cells)
      const named = namesRuntime(view.spec.runtimes)
      const notes = (view.summary?.scaling ?? []).map(s => {
        const parts: Array<string | HTMLElement> = []
        const term = (t: GlossaryTerm, label: string): HTMLElement => h('abbr', { title: explain(t), class: 'term' }, label)
        if (s.notEnoughData != null) parts.push(s.notEnoughData)
        else if (s.amdahl !== null && s.amdahl.r2 >= 0.5) {
          const ci = s.amdahl.serialFractionCi95 == null ? '' : ` (95 % CI ${fmt.pct(s.amdahl.serialFractionCi95[0], 1)} – ${fmt.pct(s.amdahl.serialFractionCi95[1], 1)})`
          parts.push(term('Amdahl', 'Amdahl'), ` serial fraction ${fmt.pct(s.amdahl.serialFraction, 1)}${ci}, at most ${fmt.times(s.amdahl.ceiling)} on ${s.limit ?? '?'} workers (R² ${fmt.num(s.amdahl.r2)})`)
        } else if (s.amdahl !== null) parts.push(`no Amdahl fit worth showing (R² ${fmt.num(s.amdahl.r2)})`)
        if (s.usl.ok && s.usl.peakWorkers !== null) parts.push('; ', term('USL', 'USL'), ` peak near ${fmt.num(s.usl.peakWorkers, 1)} workers`)
        if (s.recommendedWorkers !== null) parts.push('; ', term('recommended pool size', 'recommended pool size'), ` ${s.recommendedWorkers}`)
        return parts.length === 0 ? null : h('li', null, h('strong', null, `${named ? `${s.runtime} ` : ''}${s.executor}: `), parts)
      }).filter(Boolean)
      replace(chartNote, notes.length > 0 ? h('ul', { class: 'fits' }, notes) : null,
        h('p', { class: 'sr-only' }, `Speedups: ${measured.map(c => `${cellLabel(c, named)} ${fmt.times(c.speedup)}`).join(', ')}.`))
    }
    renderTime(timeSection, view, measured)
    renderSummary(summarySection, view, cells)
    renderShared(sharedSection, cells, namesRuntime(view.spec.runtimes))
    renderRuns(runsSection, view)
  }

  const renderAll = (): void => { renderHeader(); renderProgress(); renderResults() }
  renderAll()

  // Refreshes the whole view (summary included) at most about once a second while runs arrive.
  let refreshTimer: ReturnType<typeof setTimeout> | undefined
  let refreshing = false
  let closed = false
  const refresh = (delay = 400): void => {
    if (refreshTimer !== undefined || closed) return
    refreshTimer = setTimeout(() => {
      refreshTimer = undefined
      if (refreshing) { refresh(400); return }
      refreshing = true
      api.job(id).then((fresh) => {
        if (closed) return
        const status = rank(fresh.status) >= rank(view.status) ? fresh.status : view.status
        view = { ...fresh, status, progress: rank(fresh.status) >= rank(view.status) ? fresh.progress : view.progress }
        renderAll()
      }, () => {}).finally(() => { refreshing = false })
    }, delay)
  }

  const merge = (j: JobListItem): void => {
    if (rank(j.status) < rank(view.status)) return
    view = { ...view, status: j.status, warnings: j.warnings, error: j.error, startedAt: j.startedAt, finishedAt: j.finishedAt, hostId: j.hostId, progress: isFinalStatus(j.status) ? { ...j.progress, current: null } : view.progress }
  }

  const stream = openStream(`/api/jobs/${encodeURIComponent(id)}/stream`, {
    onState: (up) => { setLive(up ? 'live' : isFinalStatus(view.status) ? 'off' : 'reconnecting') },
    onEnd: () => { setLive('off') },
    onMessage: (m) => {
      switch (m.type) {
        case 'snapshot': {
          const snap = m.data as JobView
          if (rank(snap.status) >= rank(view.status)) view = snap
          renderAll()
          break
        }
        case 'job.queued': case 'job.started':
          merge(m.data as JobListItem)
          renderHeader(); renderProgress()
          break
        case 'run.started': case 'progress': {
          const p = m.data as RunRef & Partial<RunProgress>
          if (view.status === 'queued') view = { ...view, status: 'running' }
          if (isFinalStatus(view.status)) break
          view = {
            ...view,
            progress: {
              tasksDone: p.jobDone ?? view.progress.tasksDone,
              tasksTotal: p.jobTotal ?? view.progress.tasksTotal,
              current: { runtime: p.runtime, executor: p.executor, workers: p.workers, fork: p.fork, warmup: p.warmup, runDone: p.runDone ?? 0, runTotal: p.runTotal ?? p.tasks },
              cells: withCellCount(view.progress.cells, p)
            }
          }
          if (statusEl.textContent !== view.status) renderHeader()
          renderProgress()
          break
        }
        case 'run.finished': {
          const run = m.data as Run
          if (!view.runs.some(r => r.id === run.id)) view = { ...view, runs: [...view.runs, run] }
          refresh()
          break
        }
        case 'error':
          replace(actionMsg, h('div', { class: 'alert error' }, String((m.data as { message?: string }).message ?? 'stream error')))
          break
        default:
          if (isFinalEvent(m.type)) {
            merge(m.data as JobListItem)
            renderHeader(); renderProgress()
            // The final summary (with task latencies) is stored with the job: fetch it once.
            refresh(0)
          }
      }
    }
  })

  return {
    title: view.name,
    cleanup: () => {
      closed = true
      stream.close()
      setLive('off')
      if (refreshTimer !== undefined) clearTimeout(refreshTimer)
      chart?.destroy()
    }
  }
}

/**
 * A link that opens the report in a new tab, and a download link beside it. With an API token set
 * (a plain link cannot send it) the download is fetched with the token and the view link is hidden.
 */
function reportLinks (id: string, format: 'md' | 'csv' | 'json', messages: HTMLElement): HTMLElement[] {
  const filename = `corebench-${id}.${format}`
  const view = h('a', { href: reportUrl(id, format, true), target: '_blank', rel: 'noopener', class: 'report-view', hidden: getToken() !== null }, format)
  const a = h('a', { href: reportUrl(id, format), download: filename, class: 'report-link', title: `download ${filename}`, 'aria-label': `download ${format}` }, getToken() === null ? '↓' : format)
  a.addEventListener('click', (ev) => {
    if (getToken() === null) return
    ev.preventDefault()
    download(reportUrl(id, format), filename).catch((err: unknown) => { replace(messages, errorBox(err, 'Could not download the report: ')) })
  })
  return [view, h('span', null, ' '), a]
}

/** Stacked bars per cell: pool start-up, time inside the workers, and the rest of the wall time. */
function renderTime (section: HTMLElement, view: JobView, cells: CellSummary[]): void {
  const withLatency = cells.some(c => c.latency !== null)
  const rows = cells.map(c => {
    const startup = c.startupMs ?? 0
    const wall = c.medianWallMs ?? 0
    if (c.latency !== null && wall > 0) {
      // Busy time per worker, estimated from the median task: tasks × run p50 / workers, at most the wall.
      const run = Math.min(wall, view.spec.tasks * c.latency.runMs.p50 / Math.max(1, c.workers))
      return { c, segs: [{ k: 'startup', v: startup }, { k: 'run', v: run }, { k: 'overhead', v: wall - run }] }
    }
    return { c, segs: [{ k: 'startup', v: startup }, { k: 'wall', v: wall }] }
  })
  const max = Math.max(1, ...rows.map(r => r.segs.reduce((s, x) => s + x.v, 0)))
  const names: Record<string, string> = { startup: 'pool start-up', run: 'running tasks', overhead: 'queue, return and idle', wall: 'wall (run)' }
  const legendKeys = withLatency ? ['startup', 'run', 'overhead'] : ['startup', 'wall']
  replace(section,
    h('h2', { id: 'time-title' }, 'Where the time goes'),
    cells.length === 0
      ? h('p', { class: 'muted' }, 'Nothing measured yet.')
      : [
          h('ul', { class: 'legend' }, legendKeys.map(k => h('li', null, h('span', { class: `swatch seg-${k}` }), names[k] as string))),
          h('ul', { class: 'stacks' }, rows.map(({ c, segs }) => {
            const label = segs.map(s => `${names[s.k] as string} ${fmt.ms(s.v)}`).join(', ')
            const cell = cellLabel(c, namesRuntime(view.spec.runtimes))
            return h('li', null,
              h('span', { class: `cell-key runtime-${c.runtime}`, style: `border-color:${EXECUTOR_COLORS[c.executor] ?? '#999'}` }, cell),
              h('span', { class: 'stack', role: 'img', 'aria-label': `${cell}: ${label}` },
                segs.map(s => h('span', { class: `seg seg-${s.k}`, style: `width:${(s.v / max * 100).toFixed(2)}%`, title: `${names[s.k] as string}: ${fmt.ms(s.v)}` }))),
              h('span', { class: 'stack-label small' }, label))
          })),
          h('p', { class: 'hint' }, withLatency
            ? 'Median pool start-up (outside the timed wall), then the median wall time split into time inside the workers (tasks × median task run time ÷ workers) and the rest: dispatch queue, result return and idle workers.'
            : 'Median pool start-up (outside the timed wall) and median wall time. The split of the wall into run, queue and return appears when the job has finished.')
        ])
}

function renderSummary (section: HTMLElement, view: JobView, cells: CellSummary[]): void {
  const th = (label: string, term?: GlossaryTerm): HTMLElement => h('th', { scope: 'col', title: term === undefined ? undefined : explain(term), class: term === undefined ? undefined : 'term' }, label)
  const cores = view.summary?.cores
  const verified = (v: boolean | null): HTMLElement => v === null ? h('span', { class: 'muted' }, fmt.DASH) : v ? h('span', { class: 'ok' }, '✓ yes') : h('strong', { class: 'error-text' }, '✗ mismatch')
  const ci = (s: string): HTMLElement | null => s === '' ? null : h('div', { class: 'ci' }, `95 % CI ${s}`)
  const table = h('table', { class: 'summary', id: 'summary-table' },
    h('caption', { class: 'sr-only' }, 'Per-cell summary'),
    h('thead', null, h('tr', null,
      th('Cell'), th('Runs', 'outlier'), th('Median wall', 'median wall'), th('Mean ± sd', 'mean ± sd'),
      th('Speedup', 'speedup'), th('Efficiency', 'efficiency'),
      th(cores === undefined ? 'Busy cores' : `Busy cores of ${cores}`, 'busy cores'), th('Task slowdown', 'task slowdown'), th('Start-up', 'start-up'),
      th('Throughput', 'throughput'), th('Task run p50 / p95', 'task run p50 / p95'), th('Verified', 'verified'))),
    h('tbody', null, cells.map(c => h('tr', { 'data-cell': c.key, 'data-runtime': c.runtime },
      h('th', { scope: 'row' }, cellLabel(c, namesRuntime(view.spec.runtimes))),
      h('td', null, String(c.runs), c.failedRuns > 0 ? h('div', { class: 'error-text small' }, `${c.failedRuns} failed`) : null,
        c.outlierRunIds.length > 0 ? h('div', { class: 'small muted', title: c.outlierRule ?? '' }, `${c.outlierRunIds.length} outlier${c.outlierRunIds.length > 1 ? 's' : ''}`) : null),
      h('td', null, fmt.ms(c.medianWallMs), ci(fmt.msRange(c.medianWallCi95))),
      h('td', null, c.meanWallMs === null ? fmt.DASH : `${fmt.ms(c.meanWallMs)} ± ${fmt.ms(c.stdevWallMs)}`, c.cv !== null ? h('div', { class: 'ci' }, `cv ${fmt.pct(c.cv, 1)}`) : null),
      h('td', null, h('strong', null, fmt.times(c.speedup)), ci(fmt.timesRange(c.speedupCi95))),
      h('td', null, fmt.pct(c.efficiency)),
      h('td', null, fmt.num(c.busyCores, 1), c.busyShare != null ? h('div', { class: 'ci' }, `${fmt.pct(c.busyShare)} of the host`) : null),
      h('td', null, c.taskSlowdown == null ? fmt.DASH : fmt.times(c.taskSlowdown)),
      h('td', null, fmt.ms(c.startupMs), c.medianColdWallMs !== null ? h('div', { class: 'ci', title: explain('cold') }, `cold ${fmt.ms(c.medianColdWallMs)}`) : null),
      h('td', null, c.throughput === null ? fmt.DASH : `${fmt.num(c.throughput, 1)}/s`),
      h('td', null, c.latency === null ? fmt.DASH : `${fmt.ms(c.latency.runMs.p50)} / ${fmt.ms(c.latency.runMs.p95)}`),
      h('td', null, verified(c.verified))))))
  replace(section,
    h('h2', { id: 'summary-title' }, 'Summary'),
    cells.length === 0 ? h('p', { class: 'muted' }, 'No cells yet.') : scrollTable(table, 'Summary table'),
    disturbedLine(view.summary?.disturbance),
    view.summary !== null && cells.some(c => c.ciMethod !== null)
      ? h('p', { class: 'hint' }, `Intervals and outlier flags appear from 6 repetitions per cell: ${[...new Set(cells.map(c => c.ciMethod).filter(Boolean))].join('; ')} for the median, a percentile bootstrap over the repetitions for the speedup. Hover a column heading for what it means.`)
      : null)
}

/** How many runs were disturbed and redone (README "Disturbed runs"); nothing for summaries without it. */
function disturbedLine (d: NonNullable<JobView['summary']>['disturbance']): HTMLElement | null {
  if (d === undefined) return null
  const canary = d.canaryDrift === null ? '' : `; the canary drifted ${fmt.pct(d.canaryDrift)} over the job`
  if (d.disturbed === 0) return h('p', { class: 'hint', id: 'disturbance' }, `No run was disturbed${d.maxForeignCpu === null ? '' : ` (foreign CPU at most ${fmt.num(d.maxForeignCpu)} cores)`}${canary}.`)
  return h('p', { class: 'alert warn', id: 'disturbance' }, `${d.disturbed} run${d.disturbed === 1 ? ' was' : 's were'} disturbed and ${d.redos} redone${d.counted > 0 ? `; ${d.counted} disturbed on every try ${d.counted === 1 ? 'is' : 'are'} counted` : ''}${canary}.`)
}

function renderShared (section: HTMLElement, cells: CellSummary[], named: boolean): void {
  const shared = cells.filter(c => c.shared !== null)
  section.hidden = shared.length === 0
  if (shared.length === 0) { replace(section); return }
  replace(section,
    h('h2', { id: 'shared-title' }, 'Shared counter: expected vs arrived'),
    h('p', { class: 'hint' }, 'Every task adds to one counter. Where workers share memory without atomics, updates are lost; separate processes each count in their own memory.'),
    scrollTable(h('table', { class: 'shared', id: 'shared-table' },
      h('thead', null, h('tr', null, ['Cell', 'Expected', 'Arrived (median)', 'Lost (median)', 'Memory spaces', ''].map(t => h('th', { scope: 'col' }, t)))),
      h('tbody', null, shared.map(c => {
        const s = c.shared as NonNullable<CellSummary['shared']>
        const share = s.expected > 0 ? s.medianArrived / s.expected : 0
        return h('tr', null,
          h('th', { scope: 'row' }, cellLabel(c, named)),
          h('td', null, fmt.int(s.expected)),
          h('td', null, fmt.int(s.medianArrived)),
          h('td', { class: s.medianLost > 0 ? 'error-text' : '' }, fmt.int(s.medianLost)),
          h('td', null, String(s.memorySpaces)),
          h('td', null, h('meter', { min: 0, max: 1, value: Math.min(1, share), 'aria-label': `${cellLabel(c, named)}: ${fmt.pct(share, 1)} of the updates arrived` }), ' ', fmt.pct(share, 1)))
      }))), 'Shared counter'))
}

const RUN_COLUMNS: Array<[string, GlossaryTerm?]> = [['Cell'], ['Rep', 'warm-up'], ['Wall', 'median wall'], ['Start-up', 'start-up'], ['Busy cores', 'busy cores'], ['Task CPU'], ['Coordinator CPU'], ['CPU user + sys'], ['Peak RSS'], ['Loop delay p99'], ['Verified', 'verified'], ['Noise'], ['Result']]

function renderRuns (section: HTMLElement, view: JobView): void {
  const outliers = new Set((view.summary?.cells ?? []).flatMap(c => c.outlierRunIds))
  const runs = [...view.runs].sort((a, b) => a.startedAt.localeCompare(b.startedAt))
  replace(section,
    h('details', null,
      h('summary', null, h('h2', { id: 'runs-title', class: 'inline' }, `Runs (${runs.length})`)),
      runs.length === 0
        ? h('p', { class: 'muted' }, 'No recorded runs yet.')
        : scrollTable(h('table', { class: 'runs' },
          h('thead', null, h('tr', null, RUN_COLUMNS.map(([t, term]) => h('th', { scope: 'col', title: term === undefined ? undefined : explain(term) }, t)))),
          h('tbody', null, runs.map(r => h('tr', { class: outliers.has(r.id) ? 'outlier' : '', 'data-runtime': r.runtime },
            h('th', { scope: 'row' }, cellLabel(r, namesRuntime(view.spec.runtimes))),
            h('td', null, r.warmup ? `warm-up ${r.fork + 1}` : String(r.fork + 1)),
            h('td', null, fmt.ms(r.wallMs), outliers.has(r.id) ? h('span', { class: 'small muted' }, ' outlier') : null),
            h('td', null, fmt.ms(r.startupMs)),
            h('td', null, fmt.num(r.busyCores)),
            h('td', null, fmt.ms(r.taskCpuMs)),
            h('td', null, fmt.ms(r.coordinatorCpuMs)),
            h('td', null, fmt.ms(r.cpuUserMs + r.cpuSystemMs)),
            h('td', null, fmt.bytes(r.peakRssBytes)),
            h('td', null, fmt.ms(r.loopDelayP99Ms)),
            h('td', null, r.verified === null ? fmt.DASH : r.verified ? '✓' : '✗'),
            h('td', { title: r.disturbedBy ?? undefined }, r.foreignCpu == null ? fmt.DASH : `foreign ${fmt.num(r.foreignCpu)} cores`,
              r.canaryDrift == null ? null : h('div', { class: 'ci' }, `canary ${fmt.pct(r.canaryDrift)}`),
              r.disturbed === true ? h('div', { class: 'error-text small' }, 'disturbed') : null,
              (r.redo ?? 0) > 0 ? h('div', { class: 'small muted' }, `redo ${r.redo ?? 0}`) : null),
            h('td', { class: r.ok ? 'ok' : 'error-text' }, r.ok ? 'ok' : (r.error === null ? 'failed' : `${r.error.code}: ${r.error.message}`)))))), 'Runs')))
}

/** The job's per-cell table with the event's cell count in it (a progress event carries its cell's). */
function withCellCount (cells: JobView['progress']['cells'], p: RunRef & Partial<RunProgress>): JobView['progress']['cells'] {
  if (p.cellDone === undefined || p.cellTotal === undefined) return cells
  const same = (c: { runtime: string, executor: string, workers: number }): boolean => c.runtime === p.runtime && c.executor === p.executor && c.workers === p.workers
  const entry = { runtime: p.runtime, executor: p.executor, workers: p.workers, done: p.cellDone, total: p.cellTotal }
  return cells.some(same) ? cells.map(c => same(c) ? entry : c) : [...cells, entry]
}
