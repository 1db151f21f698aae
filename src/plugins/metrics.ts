import fp from 'fastify-plugin'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { isFinalEvent, type Progress } from '../jobs/events.js'
import { JOB_STATUSES } from '../store/types.js'

declare module 'fastify' {
  interface FastifyInstance {
    metrics: { registry: Registry, droppedMessages: Counter }
  }
}

/**
 * Prometheus metrics at GET /metrics. A registry per app instance (not prom-client's global one),
 * so that several apps in one process, as in the tests, never collide.
 */
export default fp(async function metricsPlugin (app) {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'corebench_' })
  const store = app.store

  new Gauge({
    name: 'corebench_jobs',
    help: 'Jobs in the database by status',
    labelNames: ['status'],
    registers: [registry],
    async collect () {
      const counts = await Promise.all(JOB_STATUSES.map(async s => await store.countJobs(s)))
      JOB_STATUSES.forEach((s, i) => this.set({ status: s }, counts[i] as number))
    }
  })
  new Gauge({
    name: 'corebench_queue_depth',
    help: 'Jobs waiting to run',
    registers: [registry],
    async collect () { this.set(await store.countJobs('queued')) }
  })
  new Gauge({
    name: 'corebench_stream_clients',
    help: 'Connected WebSocket stream clients',
    registers: [registry],
    collect () { this.set(app.hasDecorator('streams') ? app.streams.clients : 0) }
  })
  // Connections against their limit (src/plugins/connections.ts): the limit is what keeps the
  // process clear of its descriptor limit, which process_max_fds shows beside it.
  const connections = app.hasDecorator('connections') ? app.connections : undefined
  new Gauge({
    name: 'corebench_connections',
    help: 'Open client connections (HTTP and WebSocket)',
    registers: [registry],
    collect () { this.set(connections?.open ?? 0) }
  })
  new Gauge({
    name: 'corebench_connection_limit',
    help: 'Open connections past which new ones are refused with 503 (MAX_CONNECTIONS)',
    registers: [registry],
    collect () { this.set(connections?.limit ?? 0) }
  })
  new Counter({
    name: 'corebench_connections_refused_total',
    help: 'Requests refused with 503 because the connection limit was reached',
    registers: [registry],
    collect () {
      this.reset()
      this.inc(connections?.refused ?? 0)
    }
  })
  new Counter({
    name: 'corebench_connections_dropped_total',
    help: 'Sockets closed unanswered because even the hard connection limit was reached',
    registers: [registry],
    collect () {
      this.reset()
      this.inc(connections?.dropped ?? 0)
    }
  })
  const droppedMessages = new Counter({ name: 'corebench_stream_messages_dropped_total', help: 'Progress messages dropped for slow stream clients', registers: [registry] })
  const runs = new Counter({ name: 'corebench_runs_total', help: 'Recorded runs by runtime, executor and outcome', labelNames: ['runtime', 'executor', 'outcome'], registers: [registry] })
  const runDuration = new Histogram({
    name: 'corebench_run_duration_seconds',
    help: 'Wall time of recorded successful runs',
    labelNames: ['runtime', 'executor'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
    registers: [registry]
  })
  const tasks = new Counter({ name: 'corebench_tasks_total', help: 'Tasks executed, warm-up runs included', registers: [registry] })

  const lastDone = new Map<string, number>()
  const count = (jobId: string, done: number): void => {
    tasks.inc(Math.max(0, done - (lastDone.get(jobId) ?? 0)))
    lastDone.set(jobId, done)
  }
  app.bus.subscribe((e) => {
    if (e.type === 'progress') {
      count(e.jobId, (e.data as Progress).jobDone)
    } else if (e.type === 'run.finished') {
      const r = e.data as { runtime: string, executor: string, ok: boolean, wallMs: number }
      runs.inc({ runtime: r.runtime, executor: r.executor, outcome: r.ok ? 'ok' : 'failed' })
      if (r.ok) runDuration.observe({ runtime: r.runtime, executor: r.executor }, r.wallMs / 1000)
    } else if (isFinalEvent(e.type)) {
      // Progress is coalesced, so the job's own final count settles the total.
      count(e.jobId, (e.data as { progress: { tasksDone: number } }).progress.tasksDone)
      lastDone.delete(e.jobId)
    }
  })

  app.decorate('metrics', { registry, droppedMessages })
  app.get('/metrics', { schema: { tags: ['service'], summary: 'Prometheus metrics', hide: false }, logLevel: 'warn' }, async (_req, reply) => {
    return await reply.type(registry.contentType).send(await registry.metrics())
  })
}, { name: 'metrics', dependencies: ['store', 'runner'] })
