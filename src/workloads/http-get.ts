import { Type } from './param-types.js'
import { defineWorkload } from './types.js'

// Beyond the requested delay, how long to wait for the endpoint before failing the task, so an
// unresponsive server cannot hang executors that have no task timeout of their own.
const GRACE_MS = 30_000

/** Checksum: "<status>:<delayMs>" (the body and the timing are deliberately left out). */
export default defineWorkload({
  id: 'http-get',
  kind: 'io',
  description: 'GET the loopback delay endpoint, which answers after `delayMs` milliseconds.',
  params: Type.Object({
    delayMs: Type.Integer({ default: 100, minimum: 0, maximum: 60_000, description: 'How long the endpoint waits before answering, in milliseconds.' }),
  }, { additionalProperties: false }),
  async run({ delayMs }, ctx) {
    if (!ctx.httpBase) throw new Error('http-get: no httpBase in the task context (the delay endpoint URL is not configured)')
    let url: URL
    try {
      url = new URL(ctx.httpBase)
    } catch {
      throw new Error(`http-get: httpBase is not a valid URL: ${JSON.stringify(ctx.httpBase)}`)
    }
    url.searchParams.set('ms', String(delayMs))
    const res = await fetch(url, { signal: AbortSignal.timeout(delayMs + GRACE_MS) })
    await res.arrayBuffer() // always drain the body so the connection can be reused
    if (res.status !== 200) throw new Error(`http-get: GET ${url.href} answered ${res.status}, expected 200`)
    return { checksum: `${res.status}:${delayMs}` }
  },
})
