import { request } from 'node:http'
import { serveParent } from './service.js'

// Polls a URL every 20 ms from a process of its own, so that a stall of the server's event loop
// shows in the answers' latency and not in the poller's own timers. Each latency is counted from
// when the request was due to when its answer arrived.

let polling = false
const samples: Array<{ ms: number, status: number }> = []

async function get (url: string): Promise<number> {
  return await new Promise(resolve => {
    const req = request(url, { agent: false }, res => { res.resume(); res.on('end', () => { resolve(res.statusCode ?? 0) }) })
    req.on('error', () => { resolve(0) })
    req.end()
  })
}

async function poll (url: string): Promise<void> {
  while (polling) {
    const due = performance.now() + 20
    await new Promise(resolve => setTimeout(resolve, 20))
    const status = await get(url)
    samples.push({ ms: performance.now() - due, status })
  }
}

serveParent(async (m: { cmd: 'start' | 'stop', url?: string }) => {
  if (m.cmd === 'start') {
    samples.length = 0
    polling = true
    void poll(m.url as string)
    return {}
  }
  polling = false
  return { samples }
})
