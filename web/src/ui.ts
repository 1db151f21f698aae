// Small shared pieces: status and speedup badges, error boxes, page headings, tables.
import { h, type Child } from './dom.js'
import * as fmt from './format.js'
import type { JobListItem } from '../../src/schemas/job-view.js'
import type { RuntimeInfo } from '../../src/schemas/host.js'
import { ApiError } from './api.js'
import { openTokenDialog } from './token.js'

export function statusBadge (status: string, id?: string): HTMLSpanElement {
  return h('span', { class: `badge status-${status.replace(/[^a-z]/g, '')}`, id }, status)
}

export function speedupBadge (best: JobListItem['bestSpeedup']): HTMLElement {
  if (best == null) return h('span', { class: 'muted' }, fmt.DASH)
  const cls = best.speedup >= 1.5 ? 'good' : best.speedup >= 0.95 ? 'flat' : 'bad'
  return h('span', { class: `badge speedup ${cls}`, title: `best cell: ${best.key}` }, `${fmt.times(best.speedup, 1)} `, h('small', null, best.key))
}

export function errorBox (err: unknown, prefix = ''): HTMLElement {
  const msg = err instanceof ApiError ? err.message : err instanceof Error ? err.message : String(err)
  const code = err instanceof ApiError && err.status !== 0 ? ` (${err.status})` : ''
  const needsToken = err instanceof ApiError && err.status === 401
  return h('div', { class: 'alert error', role: 'alert' }, prefix, msg, code,
    needsToken ? [' ', h('button', { type: 'button', class: 'secondary', onclick: () => { openTokenDialog() } }, 'Set API token')] : null)
}

export function pageHeading (title: string, ...extra: Child[]): HTMLElement {
  return h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, title), ...extra)
}

export function progressBar (done: number, total: number, label: string): HTMLElement {
  const p = h('progress', { max: Math.max(1, total), value: Math.min(done, total), 'aria-label': label })
  return p
}

/** A table in a horizontally scrolling wrapper, so wide tables never widen a phone's page. */
export function scrollTable (table: HTMLTableElement, label: string): HTMLElement {
  return h('div', { class: 'table-wrap', role: 'region', 'aria-label': label, tabindex: '0' }, table)
}

export function shortHost (hostId: string | null, thisHostId: string | null): string {
  if (hostId === null) return fmt.DASH
  return hostId === thisHostId ? 'this machine' : hostId.slice(0, 8)
}

/** `CPython 3.12.1, GIL` for a Python runtime, `v20.11.0` for Node, why not where unavailable. */
export function describeRuntime (r: RuntimeInfo): string {
  if (!r.available) return `not available: ${r.reason ?? 'not found on this host'}`
  if (r.id === 'node') return `v${r.version}`
  return `${r.version}${r.gil === null ? '' : r.gil ? ', GIL' : ', free-threaded (no GIL)'}`
}
