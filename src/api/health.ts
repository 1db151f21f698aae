import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { DatabaseUnavailableError, RunnerStalledError } from '../errors.js'

const Health = Type.Object({
  status: Type.Literal('ok'),
  uptimeS: Type.Number(),
  database: Type.Literal('ok'),
  runner: Type.Object({
    state: Type.String({ description: 'off (this instance runs none), starting, idle, running, restarting, stalled, closed' }),
    jobId: Type.Optional(Type.String()),
    since: Type.Optional(Type.String({ format: 'date-time' })),
    reason: Type.Optional(Type.String())
  })
})

const health: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api/health', {
    schema: { tags: ['service'], summary: 'Liveness and database readiness', response: { 200: Health, 503: Type.Ref('Error') } }
  }, async (req) => {
    try {
      await app.store.ping()
    } catch (err) {
      req.log.error({ err }, 'health: database ping failed')
      throw new DatabaseUnavailableError()
    }
    const r = app.runnerState()
    const runner = r === undefined
      ? { state: 'off' }
      : r.state === 'running' ? { state: r.state, jobId: r.jobId }
        : r.state === 'stalled' ? { state: r.state, since: r.since.toISOString(), reason: r.error }
          : r.state === 'restarting' ? { state: r.state, since: r.since.toISOString(), reason: r.reason }
            : { state: r.state }
    // No job can run while the local runner cannot claim or record: a load balancer should know.
    if (r?.state === 'stalled') throw Object.assign(new RunnerStalledError(r.since.toISOString(), r.error), { headers: { 'retry-after': '10' } })
    return { status: 'ok' as const, uptimeS: Math.round(process.uptime()), database: 'ok' as const, runner }
  })
}

export default health
