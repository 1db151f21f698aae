import type { TestContext } from 'node:test'
import { WebSocket } from 'ws'

export interface Client {
  ws: WebSocket
  messages: any[]
  /** Resolves with the first message (already received or future) that matches. */
  next: (match: (m: any) => boolean, timeoutMs?: number) => Promise<any>
  closed: Promise<{ code: number, reason: string }>
}

/** A real ws client that records every message; closed in t.after. */
export async function connect (t: TestContext, url: string): Promise<Client> {
  const ws = new WebSocket(url)
  const messages: any[] = []
  const waiters: Array<{ match: (m: any) => boolean, resolve: (m: any) => void }> = []
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString())
    messages.push(m)
    // oxlint-disable-next-line unicorn/no-useless-spread -- a copy: the loop removes the waiters it resolves
    for (const w of [...waiters]) {
      if (w.match(m)) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(m)
      }
    }
  })
  const closed = new Promise<{ code: number, reason: string }>(resolve => ws.once('close', (code, reason) => { resolve({ code, reason: reason.toString() }) }))
  t.after(async () => {
    if (ws.readyState !== WebSocket.CLOSED) ws.terminate()
    await closed
  })
  await new Promise<void>((resolve, reject) => { ws.once('open', () => { resolve() }); ws.once('error', reject) })
  const next = async (match: (m: any) => boolean, timeoutMs = 30_000): Promise<any> => {
    const seen = messages.find(match)
    if (seen !== undefined) return seen
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`no matching message in ${timeoutMs} ms; got ${messages.map(m => m.type).join(',')}`)) }, timeoutMs)
      waiters.push({ match, resolve: (m) => { clearTimeout(timer); resolve(m) } })
    })
  }
  return { ws, messages, next, closed }
}
