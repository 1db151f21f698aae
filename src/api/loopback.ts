import { setTimeout as delay } from 'node:timers/promises'
import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

/** The endpoint the `http-get` workload calls: a server-side wait that costs no CPU. */
const loopback: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api/loopback/delay', {
    schema: {
      tags: ['workloads'],
      summary: 'Answers after `ms` milliseconds (target of the http-get workload)',
      querystring: Type.Object({ ms: Type.Integer({ minimum: 0, maximum: 60_000, default: 0 }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ ok: Type.Literal(true), ms: Type.Integer() }) }
    },
    logLevel: 'warn'
  }, async (req) => {
    await delay(req.query.ms)
    return { ok: true as const, ms: req.query.ms }
  })
}

export default loopback
