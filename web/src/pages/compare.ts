// Compare page: this job against a baseline (another job of the same spec, or the spec's
// baseline) cell by cell with verdicts; the spec's history of one metric; "make this the baseline".
import { api, ApiError } from '../api.js'
import { historyChart, METRIC_LABELS } from '../charts.js'
import { h, replace } from '../dom.js'
import * as fmt from '../format.js'
import { compareHref, jobHref, type Page } from '../nav.js'
import { cellLabel, namesRuntime } from '../../../src/schemas/cells.js'
import { isFinalStatus, METRICS, type Metric } from '../../../src/schemas/vocabulary.js'
import type { History } from '../../../src/schemas/history.js'
import type { JobComparison } from '../../../src/schemas/comparison.js'
import type { JobView } from '../../../src/schemas/job-view.js'
import { errorBox, pageHeading, statusBadge } from '../ui.js'

export async function renderCompare (main: HTMLElement, id: string, query: URLSearchParams): Promise<Page> {
  let view: JobView
  try {
    view = await api.job(id)
  } catch (err) {
    replace(main, pageHeading('Job not found'), errorBox(err), h('p', null, h('a', { href: '#/' }, 'Back to the jobs')))
    return { title: 'Job not found' }
  }
  const named = namesRuntime(view.spec.runtimes)
  const cells = (view.summary?.cells ?? []).map(c => ({ key: c.key, runtime: c.runtime, executor: c.executor, workers: c.workers }))
  const firstCell = cells.find(c => c.executor !== 'serialized') ?? cells[0]

  const baselineSel = h('select', { id: 'baseline-select', name: 'baseline' })
  const otherIn = h('input', { id: 'baseline-other', name: 'other', type: 'text', placeholder: 'j_…', autocomplete: 'off', spellcheck: 'false', pattern: '^j_[0-9a-z]+$' })
  const compareBtn = h('button', { type: 'submit', class: 'primary', id: 'compare-button' }, 'Compare')
  const result = h('div', { id: 'compare-result', 'aria-live': 'polite' })
  const baselineMsg = h('div', { id: 'baseline-message', role: 'status' })
  const makeBaseline = h('button', { type: 'button', class: 'secondary', id: 'make-baseline', disabled: view.status !== 'finished' }, 'Make this job the baseline')
  const metricSel = h('select', { id: 'history-metric' }, METRICS.map(m => h('option', { value: m }, METRIC_LABELS[m]?.label ?? m)))
  // With several runtimes the cells are grouped by runtime, so picking a cell picks its runtime too.
  const runtimes = [...new Set(cells.map(c => c.runtime))]
  const option = (c: typeof cells[number]): HTMLOptionElement => h('option', { value: c.key, 'data-runtime': c.runtime }, cellLabel(c, named))
  const cellSel = h('select', { id: 'history-cell' }, named
    ? runtimes.map(r => h('optgroup', { label: r }, cells.filter(c => c.runtime === r).map(option)))
    : cells.map(option))
  if (firstCell !== undefined) cellSel.value = firstCell.key
  const chartBox = h('div', { id: 'history-chart', class: 'chart' })
  const historyMsg = h('div')

  const form = h('form', { class: 'compare-form', 'aria-label': 'Choose a baseline' },
    h('div', { class: 'field' }, h('label', { for: 'baseline-select' }, 'Baseline (a job of the same spec)'), baselineSel),
    h('div', { class: 'field' }, h('label', { for: 'baseline-other' }, 'or any job id'), otherIn),
    h('div', { class: 'actions' }, compareBtn))

  replace(main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, '← Jobs'), ' / ', h('a', { href: jobHref(view.id) }, view.name)),
    h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, `Compare: ${view.name}`), statusBadge(view.status)),
    h('p', { class: 'muted' }, 'Spec ', h('code', null, view.specHash), ` · created ${fmt.date(view.createdAt)} · `, h('code', null, view.id)),
    h('section', { class: 'card', 'aria-labelledby': 'cmp-title' },
      h('h2', { id: 'cmp-title' }, 'Against a baseline'),
      !isFinalStatus(view.status) ? h('p', { class: 'alert warn' }, 'This job is still running: the comparison uses the runs recorded so far.') : null,
      form, result),
    h('section', { class: 'card', 'aria-labelledby': 'hist-title' },
      h('h2', { id: 'hist-title' }, 'History of this spec'),
      h('div', { class: 'filters' },
        h('span', { class: 'filter' }, h('label', { for: 'history-cell' }, 'Cell'), cellSel),
        h('span', { class: 'filter' }, h('label', { for: 'history-metric' }, 'Metric'), metricSel)),
      historyMsg,
      h('figure', null, chartBox, h('figcaption', null, 'Finished jobs of this spec, oldest first. The large orange ring marks the baseline, the green ring this job; the band is the 95 % interval where there is one.')),
      h('div', { class: 'actions' }, makeBaseline),
      baselineMsg))

  let history: History | undefined
  let chart: { destroy: () => void } | undefined
  let closed = false

  /** Baseline choices: the spec's baseline first, then every other finished job of the spec, newest first. */
  const fillChoices = (h0: History | undefined, wanted: string | null): void => {
    const others = (h0?.points ?? []).filter(p => p.jobId !== view.id).reverse()
    const opts: HTMLOptionElement[] = []
    if (h0?.baselineJobId != null && h0.baselineJobId !== view.id) opts.push(h('option', { value: 'baseline' }, `the spec's baseline (${h0.baselineJobId})`))
    for (const p of others) {
      const tags = Object.entries(p.tags).map(([k, v]) => `${k}=${v}`).join(' ')
      opts.push(h('option', { value: p.jobId }, `${fmt.date(p.createdAt)} · ${p.jobId}${p.isBaseline ? ' (baseline)' : ''}${tags === '' ? '' : ` · ${tags}`}`))
    }
    if (opts.length === 0) opts.push(h('option', { value: '' }, h0?.baselineJobId === view.id ? 'this job is the baseline; no other finished job of this spec' : 'no other finished job of this spec yet'))
    replace(baselineSel, opts)
    if (wanted !== null && opts.some(o => o.value === wanted)) baselineSel.value = wanted
  }

  const loadHistory = async (): Promise<void> => {
    const cell = cells.find(c => c.key === cellSel.value)
    if (cell === undefined) { replace(historyMsg, h('p', { class: 'muted' }, 'This job has no cells yet.')); return }
    try {
      const hist = await api.history({ specHash: view.specHash, runtime: cell.runtime, executor: cell.executor, workers: cell.workers, metric: metricSel.value as Metric })
      if (closed) return
      history = hist
      chart?.destroy()
      chart = undefined
      replace(chartBox)
      const points = hist.points.filter(p => p.value !== null)
      if (points.length === 0) {
        replace(historyMsg, h('p', { class: 'muted' }, 'No finished job of this spec has a value for this cell and metric yet.'))
      } else {
        replace(historyMsg, h('p', { class: 'hint' }, `${points.length} job${points.length > 1 ? 's' : ''}; baseline: `, hist.baselineJobId === null ? 'none yet' : h('a', { href: jobHref(hist.baselineJobId) }, hist.baselineJobId === view.id ? 'this job' : hist.baselineJobId)),
          hist.changePoints.length === 0 ? [] : h('p', { class: 'hint', id: 'change-points' }, 'Change points (ringed in red): ', ...hist.changePoints.flatMap((c, i) => [i > 0 ? ' · ' : '', h('a', { href: jobHref(c.jobId) }, c.jobId), ` ${c.worse ? 'worse' : 'better'} ${c.magnitude === null ? '' : `${c.magnitude >= 0 ? '+' : ''}${fmt.pct(c.magnitude, 1)}`} (${fmt.num(c.beforeMedian)} → ${fmt.num(c.afterMedian)})${versionChange(c)}`])))
        chart = historyChart(chartBox, hist, view.id)
      }
    } catch (err) {
      replace(historyMsg, errorBox(err, 'Could not load the history: '))
    }
  }

  const runCompare = async (baselineId: string): Promise<void> => {
    compareBtn.disabled = true
    replace(result, h('p', { class: 'muted' }, 'Comparing…'))
    try {
      const cmp = await api.compare(view.id, baselineId)
      if (!closed) replace(result, comparisonView(cmp, named))
    } catch (err) {
      if (!closed) replace(result, errorBox(err, err instanceof ApiError && err.status === 404 ? 'Not found: ' : 'Could not compare: '))
    } finally {
      compareBtn.disabled = false
    }
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault()
    const other = otherIn.value.trim()
    const chosen = other !== '' ? other : baselineSel.value
    if (chosen === '') { replace(result, h('p', { class: 'alert warn' }, 'Pick a baseline job first.')); return }
    // Keep the choice in the address so the comparison can be shared and reloaded.
    history_replace(compareHref(view.id, chosen))
    void runCompare(chosen)
  })
  cellSel.addEventListener('change', () => { void loadHistory() })
  metricSel.addEventListener('change', () => { void loadHistory() })
  makeBaseline.addEventListener('click', () => {
    makeBaseline.disabled = true
    api.setBaseline(view.specHash, view.id).then(async () => {
      replace(baselineMsg, h('p', { class: 'alert ok' }, `This job is now the baseline of spec ${view.specHash}.`))
      await loadHistory()
      fillChoices(history, baselineSel.value)
    }, (err) => {
      replace(baselineMsg, errorBox(err, 'Could not set the baseline: '))
    }).finally(() => { makeBaseline.disabled = view.status !== 'finished' })
  })

  await loadHistory()
  const wanted = query.get('baseline')
  fillChoices(history, wanted)
  if (wanted !== null && wanted !== '') {
    if (!baselineSel.querySelector(`option[value="${CSS.escape(wanted)}"]`)) otherIn.value = wanted
    void runCompare(wanted)
  }

  return {
    title: `Compare ${view.name}`,
    cleanup: () => { closed = true; chart?.destroy() }
  }
}

/** Updates the address without re-rendering the page (the hash router would otherwise reload it). */
/** ` · began with version B (was A)` when a change point's first job ran another workload version than the job before it. */
function versionChange (c: History['changePoints'][number]): string {
  if (c.version === null) return ''
  return c.previousVersion !== null && c.previousVersion !== c.version ? ` · began with workload version ${c.version} (was ${c.previousVersion})` : ` · workload version ${c.version}`
}

function history_replace (hash: string): void {
  window.history.replaceState(null, '', hash)
}

function comparisonView (cmp: JobComparison, jobNamesRuntime: boolean): HTMLElement {
  // The baseline may have measured other runtimes than this job: name them whenever either side does.
  const named = jobNamesRuntime || cmp.cells.some(c => c.runtime !== 'node')
  const table = h('table', { class: 'compare', id: 'compare-table' },
    h('caption', { class: 'sr-only' }, 'Comparison per cell'),
    h('thead', null, h('tr', null, ['Cell', 'Baseline median', 'This job median', 'Change', 'Verdict', 'Why'].map(t => h('th', { scope: 'col' }, t)))),
    h('tbody', null, cmp.cells.map(c => {
      const pTitle = `Welch p = ${fmt.pValue(c.pWelch)}; Mann–Whitney p = ${fmt.pValue(c.pMannWhitney)}${c.decidingTest === null ? '' : `; decided by ${c.decidingTest}`}`
      return h('tr', { 'data-cell': c.key, 'data-runtime': c.runtime },
        h('th', { scope: 'row' }, cellLabel(c, named)),
        h('td', { 'data-label': 'Baseline' }, fmt.ms(c.baselineMedian)),
        h('td', { 'data-label': 'This job' }, fmt.ms(c.currentMedian)),
        h('td', { 'data-label': 'Change', title: c.changeCi95 === null ? '' : `95 % CI ${fmt.signedPct(c.changeCi95[0])} to ${fmt.signedPct(c.changeCi95[1])}${c.ciBasis === 'jobs' ? `, from the job-to-job spread of ${c.spreadJobs} earlier jobs (±${c.jobSpreadPct?.toFixed(1) ?? '?'} % typical), wider than the runs' own` : ' over the runs of these two jobs'}` }, fmt.signedPct(c.changePct),
          c.changeCi95 === null ? null : h('div', { class: 'ci' }, `${fmt.signedPct(c.changeCi95[0])} … ${fmt.signedPct(c.changeCi95[1])}`)),
        h('td', { 'data-label': 'Verdict', class: `verdict verdict-${c.verdict}`, title: pTitle }, c.verdict, h('div', { class: 'ci' }, c.decidingTest === null ? `Welch p ${fmt.pValue(c.pWelch)}` : `${c.decidingTest === 'mann-whitney' ? 'Mann–Whitney' : 'Welch'} p ${fmt.pValue(c.decidingTest === 'mann-whitney' ? c.pMannWhitney : c.pWelch)}`)),
        h('td', { 'data-label': 'Why', class: 'small' }, c.reason))
    })))
  const t = cmp.thresholds
  return h('div', null,
    h('p', { class: 'overall' }, 'Overall: ', h('span', { class: `badge verdict-${cmp.verdict}`, id: 'overall-verdict' }, cmp.verdict),
      ' against ', h('a', { href: jobHref(cmp.baseline.id) }, cmp.baseline.id), ` (${fmt.date(cmp.baseline.createdAt)})`),
    cmp.notes.length > 0 ? h('ul', { class: 'alert warn' }, cmp.notes.map(n => h('li', null, n))) : null,
    cmp.cells.length === 0 ? h('p', { class: 'muted' }, 'No cell was measured by both jobs.') : h('div', { class: 'table-wrap' }, table),
    h('p', { class: 'hint' }, `A change counts when it is at least ${t.minChange} % and significant at p < ${t.alpha} (each side needs ${t.minRepetitions}+ repetitions); "same" needs the whole 95 % interval of the change within ±${t.minChange} %, and intervals need 6+ repetitions per side. Positive change = slower. Hover a verdict for both p-values.`))
}
