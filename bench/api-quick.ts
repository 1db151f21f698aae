import Fastify from 'fastify'
import { parseArgs } from 'node:util'
import type { LoadResult } from './api-load-child.js'
import { interleave, stat } from './lib.js'
import { forkChild, jobEnded, startCorebench, type Service } from './service.js'

// A quick side-by-side of the GET paths only (what `--suite api` measures in its part (a)), for
// iterating on per-request cost: `node --expose-gc --import tsx bench/api-quick.ts [--rounds 5]
// [--duration 3] [--targets hello,helloview,job,loopback,health] [--variants ';/other/checkout;LOG_LEVEL=info']`.
// Each variant is a separate app in this process, each target is measured against each app, all
// interleaved. A variant is `KEY=VALUE,…` (config, also set in process.env while the app is built),
// optionally after the path of another checkout whose app to build instead of this one (old vs new
// code, side by side). Besides req/s it reports this process's CPU per response, which a noisy VM
// disturbs far less. Results go to stderr (LOG_LEVEL=info makes the apps log to stdout: send it to
// /dev/null). Run under `node --cpu-prof` to profile the server thread: the load comes from a
// forked child, as in api.ts.

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    targets: { type: 'string', default: 'hello,job' },
    variants: { type: 'string', default: '' }
  }
})
const variants = values.variants === '' ? [''] : values.variants.split(';')
const apps: Array<{ name: string, svc: Service, id: string }> = []
const hello = Fastify()
hello.get('/', async () => ({ hello: 'world' }))
// The same document as our GET, from a bare fastify: what the payload alone costs.
let view: Buffer = Buffer.alloc(0)
hello.get('/view', async (_req, reply) => await reply.type('application/json; charset=utf-8').send(view))
await hello.listen({ host: '127.0.0.1', port: 0 })
const helloPort = (hello.server.address() as { port: number }).port
const child = await forkChild('./api-load-child.ts')
try {
  for (const v of variants) {
    const [first, ...rest] = v.split(',')
    const from = first.startsWith('/') ? (await import(`${first}/bench/service.ts`)).startCorebench as typeof startCorebench : startCorebench
    const env = Object.fromEntries((first.startsWith('/') ? rest : [first, ...rest]).filter(Boolean).map(kv => kv.split('=') as [string, string]))
    const saved = { ...process.env }
    Object.assign(process.env, env)
    const svc = await from(env)
    process.env = saved
    const res = await svc.app.inject({ method: 'POST', url: '/api/jobs', payload: { name: 'quick', workload: { id: 'fibonacci', params: { n: 18 } }, tasks: 8, executors: ['serialized', 'threaded'], workers: [1, 2], repetitions: 3, warmup: 1 } })
    const id = (res.json() as { id: string }).id
    if (await jobEnded(svc.app, id) !== 'job.finished') throw new Error('the view job did not finish')
    view = (await svc.app.inject(`/api/jobs/${id}`)).rawPayload
    apps.push({ name: v === '' ? 'this checkout' : v, svc, id })
  }
  const sides: Array<{ name: string, url: string }> = []
  for (const t of values.targets.split(',')) {
    if (t === 'hello') sides.push({ name: t, url: `http://127.0.0.1:${helloPort}/` })
    else if (t === 'helloview') sides.push({ name: t, url: `http://127.0.0.1:${helloPort}/view` })
    else {
      for (const a of apps) {
        const path = { job: `/api/jobs/${a.id}`, loopback: '/api/loopback/delay', health: '/api/health' }[t]
        if (path === undefined) throw new Error(`unknown target ${t}`)
        sides.push({ name: apps.length > 1 ? `${t} ${a.name}` : t, url: a.svc.base + path })
      }
    }
  }
  const duration = Number(values.duration)
  const connections = Number(values.connections)
  const r = await interleave(Number(values.rounds), sides.map(side => {
    let calls = 0
    return async () => {
      const d = calls++ === 0 ? 1 : duration
      const cpu0 = process.cpuUsage()
      const { result } = await child.call<{ result: LoadResult }>({ cmd: 'run', opts: { url: side.url, connections, duration: d } })
      const cpu = process.cpuUsage(cpu0)
      // Server-side CPU per response (this process: the servers' thread; idle workers cost ~0).
      return { ...result, usPerReq: (cpu.user + cpu.system) / Math.max(1, result.ok + result.non2xx) }
    }
  }))
  const base = r.values[0]
  const width = Math.max(...sides.map(s => s.name.length)) + 1
  for (const [i, side] of sides.entries()) {
    const v = r.values[i]
    const rps = stat(v.map(x => Math.round(x.okPerSec)))
    const paired = stat(v.map((x, k) => x.okPerSec / base[k].okPerSec)).median
    const us = stat(v.map(x => x.usPerReq))
    process.stderr.write(`${side.name.padEnd(width)} req/s ${String(rps.median).padStart(6)} (${rps.min}–${rps.max})  ratio ${paired.toFixed(2)}  p50 ${stat(v.map(x => x.latency.p50)).median}  p99 ${stat(v.map(x => x.latency.p99)).median} ms  non2xx ${v.reduce((n, x) => n + x.non2xx, 0)}  gen cores ${stat(v.map(x => x.generatorCores)).median.toFixed(2)}  server µs CPU/req ${us.median.toFixed(1)} (${us.min.toFixed(0)}–${us.max.toFixed(0)})  redone ${r.redone[i]}\n`)
  }
} finally {
  await child.close()
  await hello.close()
  for (const a of apps) await a.svc.close()
}
