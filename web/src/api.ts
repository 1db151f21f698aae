// fetch() wrappers: JSON in and out, and the API's error shape {statusCode, code, error, message}
// turned into an ApiError that pages can show.
import { getToken } from './token.js'
import type { History } from '../../src/schemas/history.js'
import type { Host } from '../../src/schemas/host.js'
import type { JobComparison } from '../../src/schemas/comparison.js'
import type { JobListItem, JobView } from '../../src/schemas/job-view.js'
import type { JobSubmit, SpecDefaults } from '../../src/schemas/job.js'
import type { FieldError } from '../../src/schemas/common.js'
import type { Metric } from '../../src/schemas/vocabulary.js'
import type { Preset, Workload } from '../../src/schemas/catalog.js'

export class ApiError extends Error {
  constructor (readonly status: number, readonly code: string, message: string, readonly retryAfter: string | null = null, readonly details: FieldError[] = []) {
    super(message)
  }
}

function authHeader (): Record<string, string> {
  const token = getToken()
  return token === null ? {} : { authorization: `Bearer ${token}` }
}

/** Downloads a report with the token (a plain link cannot send the Authorization header). */
export async function download (url: string, filename: string): Promise<void> {
  const res = await fetch(url, { headers: authHeader() })
  if (!res.ok) {
    const body = await res.json().catch(() => ({})) as { code?: string, message?: string }
    throw new ApiError(res.status, body.code ?? `HTTP_${res.status}`, body.message ?? `${res.status} ${res.statusText}`)
  }
  const blob = await res.blob()
  const href = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = href
  a.download = filename
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => { URL.revokeObjectURL(href) }, 10_000)
}

async function request<T> (path: string, init: RequestInit = {}): Promise<T> {
  let res: Response
  try {
    res = await fetch(path, { ...init, headers: { ...authHeader(), accept: 'application/json', ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers } })
  } catch {
    throw new ApiError(0, 'NETWORK', 'the server did not answer (is it running?)')
  }
  const type = res.headers.get('content-type') ?? ''
  const body: unknown = type.includes('json') ? await res.json().catch(() => null) : await res.text()
  if (!res.ok) {
    const e = (body ?? {}) as { code?: string, message?: string, details?: FieldError[] }
    throw new ApiError(res.status, e.code ?? `HTTP_${res.status}`, typeof e.message === 'string' ? e.message : `${res.status} ${res.statusText}`, res.headers.get('retry-after'), e.details ?? [])
  }
  return body as T
}

const q = (params: Record<string, string | number | undefined | null>): string => {
  const s = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') s.set(k, String(v))
  const text = s.toString()
  return text === '' ? '' : `?${text}`
}

const jobPath = (id: string): string => `/api/jobs/${encodeURIComponent(id)}`

export const api = {
  jobs: async (f: { status?: string, workload?: string, cursor?: string, limit?: number }) =>
    await request<{ items: JobListItem[], nextCursor: string | null }>(`/api/jobs${q(f)}`),
  job: async (id: string) => await request<JobView>(jobPath(id)),
  submit: async (spec: JobSubmit) =>
    await request<{ id: string, status: string, warnings: string[], links: Record<string, string> }>('/api/jobs', { method: 'POST', body: JSON.stringify(spec) }),
  cancel: async (id: string) => await request<{ id: string, status: string }>(`${jobPath(id)}/cancel`, { method: 'POST' }),
  workloads: async () => await request<Workload[]>('/api/workloads'),
  presets: async () => await request<Preset[]>('/api/presets'),
  specDefaults: async () => await request<SpecDefaults>('/api/spec/defaults'),
  host: async () => await request<Host>('/api/host'),
  compare: async (id: string, baselineId: string) => await request<JobComparison>(`${jobPath(id)}/compare/${encodeURIComponent(baselineId)}`),
  history: async (f: { specHash: string, runtime: string, executor: string, workers: number, metric: Metric }) => await request<History>(`/api/history${q(f)}`),
  setBaseline: async (specHash: string, jobId: string) =>
    await request<{ specHash: string, jobId: string, createdAt: string }>(`/api/baselines/${encodeURIComponent(specHash)}`, { method: 'PUT', body: JSON.stringify({ jobId }) })
}

/** The report in `format`; `inline` opens it in the browser instead of downloading it. */
export const reportUrl = (id: string, format: 'json' | 'csv' | 'md', inline = false): string => `${jobPath(id)}/report?format=${format}${inline ? '&disposition=inline' : ''}`

let hostCache: Promise<Host | null> | undefined
/** This server's fingerprint, fetched once: lets lists say "this machine" instead of a hash. */
export async function thisHost (): Promise<Host | null> {
  // A failure (e.g. 401 before a token is set) is not remembered: the next page asks again.
  hostCache ??= api.host().catch(() => { hostCache = undefined; return null })
  return await hostCache
}
