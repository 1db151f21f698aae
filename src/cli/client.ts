import { CliError } from './io.js'

export const DEFAULT_URL = 'http://127.0.0.1:3000'
const TIMEOUT_MS = 30_000

/** The API's error body: `{ statusCode, code, error, message }`. */
interface ApiErrorBody { statusCode?: number, code?: string, error?: string, message?: string }

/** An error answer of the API, kept with its status and COREBENCH_ERR_* code. */
export class ApiError extends CliError {
  constructor (message: string, code: string | null, readonly statusCode: number) {
    super(message, code)
    this.name = 'ApiError'
  }
}

/** Builds an ApiError from a non-2xx answer, whether or not its body has the API's error shape. */
export function apiError (status: number, statusText: string, body: string): ApiError {
  let parsed: ApiErrorBody | undefined
  try {
    parsed = JSON.parse(body) as ApiErrorBody
  } catch {}
  if (parsed !== undefined && typeof parsed.message === 'string') {
    return new ApiError(parsed.message, parsed.code ?? `HTTP ${status}`, status)
  }
  // Not corebench answering (a proxy, another service on that port): say so briefly.
  const text = body.trim().split('\n')[0]?.slice(0, 120) ?? ''
  return new ApiError(`the server answered ${status} ${statusText}${text === '' ? '' : `: ${text}`}`, `HTTP ${status}`, status)
}

/** A network failure as one line naming COREBENCH_URL, so the fix is obvious. */
export function connectionError (err: unknown, base: string): CliError {
  const e = err as { name?: string, code?: string, cause?: { code?: string, errors?: Array<{ code?: string }>, message?: string }, message?: string }
  if (e.name === 'TimeoutError') return new CliError(`no answer from ${base} within ${TIMEOUT_MS / 1000} s (COREBENCH_URL)`, 'ETIMEDOUT')
  const code = e.code ?? e.cause?.code ?? e.cause?.errors?.[0]?.code ?? null
  const why = code === 'ECONNREFUSED'
    ? 'connection refused; is `corebench serve` running there?'
    : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'unknown host' : (e.cause?.message ?? e.message ?? String(err))
  return new CliError(`cannot reach the corebench server at ${base} (set COREBENCH_URL to its address): ${why}`, code ?? 'ECONNECT')
}

export interface ClientOptions { url?: string, token?: string, signal?: AbortSignal }

/** A thin HTTP client of the corebench API: JSON in, JSON or text out, errors as CliErrors. */
export class Client {
  readonly base: string
  private readonly token: string | undefined
  private readonly signal: AbortSignal | undefined

  constructor (opts: ClientOptions) {
    const raw = opts.url === undefined || opts.url === '' ? DEFAULT_URL : opts.url
    let url: URL
    try {
      url = new URL(raw)
    } catch {
      throw new CliError(`COREBENCH_URL is not a valid URL: ${JSON.stringify(raw)}`, 'EUSAGE')
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`COREBENCH_URL must be an http:// or https:// URL, got ${JSON.stringify(raw)}`, 'EUSAGE')
    this.base = url.href.replace(/\/+$/, '')
    this.token = opts.token === '' ? undefined : opts.token
    this.signal = opts.signal
  }

  headers (extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.token === undefined ? {} : { authorization: `Bearer ${this.token}` }), ...extra }
  }

  /** ws:// or wss:// for a path. */
  wsUrl (path: string): string {
    return this.base.replace(/^http/, 'ws') + path
  }

  async request (method: string, path: string, body?: unknown): Promise<string> {
    let res: Response
    try {
      res = await fetch(this.base + path, {
        method,
        headers: this.headers(body === undefined ? {} : { 'content-type': 'application/json' }),
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: this.signal === undefined ? AbortSignal.timeout(TIMEOUT_MS) : AbortSignal.any([AbortSignal.timeout(TIMEOUT_MS), this.signal])
      })
    } catch (err) {
      if (this.signal?.aborted === true) throw new CliError('interrupted', null, 130)
      throw connectionError(err, this.base)
    }
    const text = await res.text()
    if (!res.ok) throw apiError(res.status, res.statusText, text)
    return text
  }

  async json<T> (method: string, path: string, body?: unknown): Promise<T> {
    const text = await this.request(method, path, body)
    try {
      return JSON.parse(text) as T
    } catch {
      throw new CliError(`the server at ${this.base} answered ${method} ${path} with something that is not JSON; is COREBENCH_URL pointing at corebench?`, 'EPROTO')
    }
  }

  async get<T> (path: string): Promise<T> {
    return await this.json<T>('GET', path)
  }
}

/** `?a=1&b=x` from the defined entries, or '' when there are none. */
export function query (params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v))
  const s = q.toString()
  return s === '' ? '' : `?${s}`
}

/** A job's path; the id is encoded, so whatever was typed stays one path segment (`show ../x` cannot walk the API). */
export function jobPath (id: string): string {
  return `/api/jobs/${encodeURIComponent(id)}`
}
