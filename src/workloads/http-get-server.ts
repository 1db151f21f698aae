import { createServer, type Server } from 'node:http'

/**
 * The endpoint the `http-get` workload calls, served by the runner itself on loopback: a wait that
 * costs no CPU, so that an I/O-bound job measures the runner's executors, not the API's traffic.
 * Answers `GET /delay?ms=N` (0 ≤ N ≤ 60 000) after N ms with `{"ok":true,"ms":N}`.
 */
export async function startDelayServer (): Promise<{ base: string, close: () => Promise<void> }> {
  const timers = new Set<NodeJS.Timeout>()
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const ms = Number(url.searchParams.get('ms') ?? '0')
    if (url.pathname !== '/delay' || !Number.isInteger(ms) || ms < 0 || ms > 60_000) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"ok":false}')
      return
    }
    const timer = setTimeout(() => {
      timers.delete(timer)
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, ms }))
    }, ms)
    timers.add(timer)
  })
  // Tasks call it thousands of times a run: keep their connections open.
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve, reject) => { server.once('error', reject).listen(0, '127.0.0.1', resolve) })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('the delay server has no port')
  return {
    base: `http://127.0.0.1:${address.port}/delay`,
    close: async () => {
      for (const t of timers) clearTimeout(t)
      server.closeAllConnections()
      await new Promise<void>(resolve => { server.close(() => { resolve() }) })
    }
  }
}
