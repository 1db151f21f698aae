// Jobs list: newest first, filters, "load more", and live rows from WS /api/stream.
import { api, ApiError, thisHost } from '../api.js'
import { h, replace, text } from '../dom.js'
import * as fmt from '../format.js'
import { jobHref, navigate, setLive, type Page } from '../nav.js'
import { openStream } from '../stream.js'
import { JOB_STATUSES } from '../../../src/schemas/vocabulary.js'
import type { JobListItem } from '../../../src/schemas/job-view.js'
import type { RunProgress } from '../../../src/schemas/stream.js'
import { errorBox, pageHeading, shortHost, speedupBadge, statusBadge } from '../ui.js'

const PAGE = 25

export async function renderJobs (main: HTMLElement, query: URLSearchParams): Promise<Page> {
  const filters = { status: query.get('status') ?? '', workload: query.get('workload') ?? '' }
  const [host, workloads] = await Promise.all([thisHost(), api.workloads().catch(() => [])])

  const statusSel = h('select', { id: 'filter-status', name: 'status' },
    h('option', { value: '' }, 'any status'),
    JOB_STATUSES.map(s => h('option', { value: s }, s)))
  statusSel.value = filters.status
  const workloadSel = h('select', { id: 'filter-workload', name: 'workload' },
    h('option', { value: '' }, 'any workload'),
    workloads.map(w => h('option', { value: w.id }, w.id)))
  workloadSel.value = filters.workload
  const apply = (): void => {
    const q = new URLSearchParams()
    if (statusSel.value !== '') q.set('status', statusSel.value)
    if (workloadSel.value !== '') q.set('workload', workloadSel.value)
    const s = q.toString()
    navigate(s === '' ? '#/' : `#/?${s}`)
  }
  statusSel.addEventListener('change', apply)
  workloadSel.addEventListener('change', apply)
  const filterForm = h('form', { class: 'filters', 'aria-label': 'Filter jobs', onsubmit: (ev: Event) => { ev.preventDefault(); apply() } },
    h('span', { class: 'filter' }, h('label', { for: 'filter-status' }, 'Status'), statusSel),
    h('span', { class: 'filter' }, h('label', { for: 'filter-workload' }, 'Workload'), workloadSel),
    (filters.status !== '' || filters.workload !== '') ? h('a', { href: '#/', class: 'button-link' }, 'Clear filters') : null)

  const tbody = h('tbody')
  const table = h('table', { class: 'jobs' },
    h('caption', { class: 'sr-only' }, 'Jobs, newest first'),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, 'Status'),
      h('th', { scope: 'col' }, 'Name'),
      h('th', { scope: 'col' }, 'Workload'),
      h('th', { scope: 'col' }, 'Created'),
      h('th', { scope: 'col' }, 'Host'),
      h('th', { scope: 'col' }, 'Best speedup'))),
    tbody)
  const empty = h('p', { class: 'muted', hidden: true }, 'No jobs yet. ', h('a', { href: '#/submit' }, 'Submit one'), ' or run a preset.')
  const message = h('div')
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Load more')
  replace(main,
    pageHeading('Jobs', h('a', { href: '#/submit', class: 'button-link primary' }, 'New job')),
    filterForm, message, table, empty, more)

  const rows = new Map<string, { item: JobListItem, tr: HTMLTableRowElement }>()
  const matches = (j: JobListItem): boolean =>
    (filters.status === '' || j.status === filters.status) && (filters.workload === '' || j.workload === filters.workload)

  const progressCell = (j: JobListItem): HTMLElement | null => {
    if (j.status !== 'running' && j.status !== 'queued') return null
    const { tasksDone, tasksTotal } = j.progress
    return h('progress', { max: Math.max(1, tasksTotal), value: tasksDone, 'aria-label': `${j.name}: ${tasksDone} of ${tasksTotal} tasks` })
  }
  const rowFor = (j: JobListItem): HTMLTableRowElement => {
    const tr = h('tr', { 'data-job': j.id },
      h('td', { 'data-label': 'Status' }, statusBadge(j.status), progressCell(j)),
      h('td', { 'data-label': 'Name' }, h('a', { href: jobHref(j.id) }, j.name), j.error !== null ? h('div', { class: 'small error-text' }, j.error) : null),
      h('td', { 'data-label': 'Workload' }, h('code', null, j.workload), (j.runtimes ?? ['node']).some(r => r !== 'node') ? h('span', { class: 'hint' }, ` ${(j.runtimes ?? []).join(' vs ')}`) : null),
      h('td', { 'data-label': 'Created' }, h('time', { datetime: j.createdAt }, fmt.date(j.createdAt))),
      h('td', { 'data-label': 'Host' }, h('span', { title: j.hostId ?? 'not started yet' }, shortHost(j.hostId, host?.id ?? null))),
      h('td', { 'data-label': 'Best speedup' }, speedupBadge(j.bestSpeedup ?? null)))
    return tr
  }
  const upsert = (j: JobListItem, where: 'bottom' | 'sorted'): void => {
    const known = rows.get(j.id)
    if (!matches(j)) {
      if (known !== undefined) { known.tr.remove(); rows.delete(j.id) }
      return
    }
    // Lifecycle events carry no best speedup while running; keep what we had.
    const item = { ...known?.item, ...j, bestSpeedup: j.bestSpeedup !== undefined ? j.bestSpeedup : known?.item.bestSpeedup ?? null }
    const tr = rowFor(item)
    if (known !== undefined) {
      known.tr.replaceWith(tr)
    } else if (where === 'bottom') {
      tbody.append(tr)
    } else {
      // Newest first: before the first row that is older than this job.
      const key = (x: JobListItem): string => `${x.createdAt} ${x.id}`
      const older = [...tbody.rows].find(r => { const other = rows.get(r.dataset.job ?? ''); return other !== undefined && key(other.item) < key(item) })
      if (older !== undefined) older.before(tr)
      else tbody.append(tr)
    }
    rows.set(j.id, { item, tr })
    empty.hidden = rows.size > 0
  }

  let cursor: string | null = null
  let refused = false
  const load = async (): Promise<void> => {
    more.disabled = true
    try {
      const page = await api.jobs({ ...filters, limit: PAGE, cursor: cursor ?? undefined })
      for (const j of page.items) upsert(j, 'bottom')
      cursor = page.nextCursor
      more.hidden = cursor === null
      empty.hidden = rows.size > 0
      replace(message)
    } catch (err) {
      refused = err instanceof ApiError && err.status === 401
      replace(message, errorBox(err, 'Could not load the jobs: '))
    } finally {
      more.disabled = false
    }
  }
  more.addEventListener('click', () => { void load() })
  await load()

  // Without the token the stream would be refused as well; the token dialog re-renders the page.
  if (refused) return { title: 'Jobs' }
  const stream = openStream('/api/stream', {
    onState: (up) => { setLive(up ? 'live' : 'reconnecting') },
    onMessage: (m) => {
      if (m.type === 'snapshot') {
        for (const j of (m.data as { jobs: JobListItem[] }).jobs) upsert(j, 'sorted')
      } else if (m.type.startsWith('job.')) {
        // job.finished carries the stored summary's best speedup; earlier events have none yet.
        upsert(m.data as JobListItem, 'sorted')
      } else if (m.type === 'progress') {
        const p = m.data as RunProgress
        const row = rows.get(p.jobId)
        if (row === undefined || p.jobDone === undefined || p.jobTotal === undefined) return
        const bar = row.tr.querySelector('progress')
        row.item.progress = { ...row.item.progress, tasksDone: p.jobDone, tasksTotal: p.jobTotal }
        if (bar !== null) {
          bar.max = Math.max(1, p.jobTotal)
          bar.value = p.jobDone
          bar.setAttribute('aria-label', `${row.item.name}: ${p.jobDone} of ${p.jobTotal} tasks`)
        }
        if (row.item.status === 'queued') {
          row.item.status = 'running'
          const badge = row.tr.querySelector('.badge')
          if (badge !== null) { text(badge, 'running'); badge.className = 'badge status-running' }
        }
      }
    }
  })
  return {
    title: 'Jobs',
    cleanup: () => { stream.close(); setLive('off') }
  }
}
