// A WebSocket that delivers parsed stream messages and reconnects with backoff, except after a
// normal close (a job stream ends with 1000 after the terminal event) or a 44xx refusal.
import { getToken } from './token.js'
import type { StreamMessage } from '../../src/schemas/stream.js'

export interface StreamHandle { close: () => void }

export interface StreamOptions {
  onMessage: (m: StreamMessage) => void
  /** Called with true once open, false while disconnected and retrying. */
  onState?: (connected: boolean) => void
  /** Called when the server ends the stream for good (normal close or refusal). */
  onEnd?: (code: number, reason: string) => void
  reconnect?: boolean
}

export function openStream (path: string, opts: StreamOptions): StreamHandle {
  const base = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`
  let ws: WebSocket | undefined
  let stopped = false
  let attempt = 0
  let timer: ReturnType<typeof setTimeout> | undefined

  const connect = (): void => {
    if (stopped) return
    // Browsers cannot set headers on a WebSocket: the server takes the token from the query.
    const token = getToken()
    const socket = new WebSocket(token === null ? base : `${base}${base.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`)
    ws = socket
    socket.addEventListener('open', () => { attempt = 0; opts.onState?.(true) })
    socket.addEventListener('message', (ev) => {
      if (typeof ev.data !== 'string') return
      let m: StreamMessage
      try { m = JSON.parse(ev.data) as StreamMessage } catch { return }
      opts.onMessage(m)
    })
    socket.addEventListener('close', (ev) => {
      if (stopped || ws !== socket) return
      opts.onState?.(false)
      if (ev.code === 1000 || (ev.code >= 4400 && ev.code < 4500) || opts.reconnect === false) {
        opts.onEnd?.(ev.code, ev.reason)
        return
      }
      const delay = Math.min(10_000, 500 * 2 ** attempt++) * (0.75 + Math.random() / 2)
      timer = setTimeout(connect, delay)
    })
  }
  connect()
  return {
    close: () => {
      stopped = true
      if (timer !== undefined) clearTimeout(timer)
      const socket = ws
      if (socket === undefined) return
      // Closing a socket that is still connecting makes the browser log an error: wait for open.
      if (socket.readyState === WebSocket.CONNECTING) socket.addEventListener('open', () => { socket.close(1000, 'page left') })
      else if (socket.readyState === WebSocket.OPEN) socket.close(1000, 'page left')
    }
  }
}
