import { createHash } from 'node:crypto'
import { Type } from '@sinclair/typebox'
import { LRUCache } from 'lru-cache'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Config } from '../config.js'
import { ConflictError, NotFoundError, QueueFullError, validationFailed } from '../errors.js'
import { jobTasksTotal } from '../schemas/cells.js'
import { resolveSpec, specDefaults, specHash, specWarnings } from '../jobs/spec.js'
import { JobSubmitSchema, SpecDefaultsSchema, TagFilterSchema } from '../schemas/job.js'
import { JobListItemSchema, JobStatusSchema, JobViewSchema } from '../schemas/job-view.js'
import { toCsv, toMarkdown } from '../stats/report.js'
import { newId } from '../store/ids.js'
import type { JobRecord } from '../store/types.js'
import { isFinalStatus } from '../schemas/vocabulary.js'
import { notModified } from './conditional.js'
import { jobListItem, loadJobView, summaryOf } from '../views/jobs.js'

const JobId = Type.Object({ id: Type.String({ pattern: '^j_[0-9a-z]{9}[0-9a-f]{10}$', description: 'A job id' }) })
const Accepted = Type.Object({ id: Type.String(), status: JobStatusSchema, warnings: Type.Array(Type.String()), links: Type.Record(Type.String(), Type.String()) })
const errors = { 400: Type.Ref('Error'), 404: Type.Ref('Error'), 409: Type.Ref('Error') }

/**
 * A job view ready to send: its JSON already encoded (a finished job's view is sent many times and
 * never changes, so it is serialized, hashed and encoded once) and the headers that go with it.
 * `notModified` holds what a 304 must repeat of a 200 (RFC 9110 §15.4.5): the validators and
 * Cache-Control.
 */
interface ViewReply { body: Buffer, etag: string, lastModified: Date | undefined, final: boolean, notModified: Record<string, string>, ok: Record<string, string> }

/** A finished job's view never changes again: caches may keep it (token-protected reads: see plugins/auth.ts). */
function viewReply (json: string, finishedAt: Date | null): ViewReply {
  const body = Buffer.from(json)
  const etag = `"${createHash('sha1').update(body).digest('base64url')}"`
  const final = finishedAt !== null
  const notModified: Record<string, string> = final
    ? { etag, 'last-modified': finishedAt.toUTCString(), 'cache-control': 'public, max-age=3600, immutable' }
    : { etag, 'cache-control': 'no-cache' }
  return { body, etag, lastModified: finishedAt ?? undefined, final, notModified, ok: { ...notModified, 'content-type': 'application/json; charset=utf-8' } }
}

const jobs: FastifyPluginAsyncTypebox<{ config: Config }> = async (app, { config }) => {
  const cores = app.host.usableCores
  const finishedViews = new LRUCache<string, ViewReply>({ max: 500 })

  async function load (id: string): Promise<JobRecord> {
    const job = await app.store.getJob(id)
    if (job === undefined) throw new NotFoundError('job', id)
    return job
  }

  const defaults = specDefaults(config, cores)
  app.get('/api/spec/defaults', {
    schema: { tags: ['jobs'], summary: 'What POST /api/jobs fills in for each field a spec leaves out here, and the configured caps', response: { 200: Type.Ref(SpecDefaultsSchema) } }
  }, async () => defaults)

  app.post('/api/jobs', {
    schema: {
      tags: ['jobs'],
      summary: 'Submit a job (or a preset with overrides); it is stored as queued before the answer',
      body: JobSubmitSchema,
      response: { 202: Accepted, 400: Type.Ref('Error'), 429: Type.Ref('Error') }
    }
  }, async (req, reply) => {
    const resolved = resolveSpec(req.body, config, cores, app.runtimes)
    if (!resolved.ok) throw validationFailed(resolved.details)
    const spec = resolved.spec
    const depth = await app.queue.depth()
    if (depth >= config.QUEUE_LIMIT) {
      throw Object.assign(new QueueFullError(depth), { headers: { 'retry-after': '30' } })
    }
    const warnings = specWarnings(spec, cores, app.host)
    const job = await app.queue.enqueue({
      id: newId('j'),
      spec,
      specHash: specHash(spec),
      warnings,
      tasksTotal: jobTasksTotal(spec),
      tokenId: req.tokenId ?? undefined
    })
    await app.jobs.queued(job)
    const self = `/api/jobs/${job.id}`
    return await reply.code(202).header('location', self).send({
      id: job.id,
      status: job.status,
      warnings,
      links: { self, stream: `${self}/stream`, cancel: `${self}/cancel`, report: `${self}/report?format=md` }
    })
  })

  app.get('/api/jobs', {
    schema: {
      tags: ['jobs'],
      summary: 'Jobs, newest first, with filters and cursor pagination',
      querystring: Type.Object({
        status: Type.Optional(JobStatusSchema),
        workload: Type.Optional(Type.String({ maxLength: 64 })),
        tag: Type.Optional(TagFilterSchema),
        host: Type.Optional(Type.String({ maxLength: 64 })),
        specHash: Type.Optional(Type.String({ pattern: '^[0-9a-f]{16}$', description: 'Only jobs of this spec (comparable jobs)' })),
        cursor: Type.Optional(Type.String({ maxLength: 64, description: 'nextCursor of the previous page' })),
        limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 })
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(JobListItemSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }), 400: Type.Ref('Error') }
    }
  }, async (req) => {
    const q = req.query
    let tag: { key: string, value: string } | undefined
    if (q.tag !== undefined) {
      const at = q.tag.indexOf(':')
      tag = { key: q.tag.slice(0, at), value: q.tag.slice(at + 1) }
    }
    const rows = await app.store.listJobs({ status: q.status, workload: q.workload, host: q.host, specHash: q.specHash, tag, before: q.cursor, limit: q.limit + 1 })
    const page = rows.slice(0, q.limit)
    return {
      items: page.map(j => jobListItem(j, app.progress.get(j.id))),
      nextCursor: rows.length > q.limit ? (page.at(-1) as JobRecord).id : null
    }
  })

  app.get('/api/jobs/:id', {
    schema: { tags: ['jobs'], summary: 'A job: spec, status, progress, every run and per-cell summaries', params: JobId, response: { 200: JobViewSchema, 304: Type.Null(), ...errors } }
  }, async (req, reply) => {
    let view = finishedViews.get(req.params.id)
    if (view === undefined) {
      const found = await loadJobView(app.store, id => app.progress.get(id), req.params.id)
      if (found === undefined) throw new NotFoundError('job', req.params.id)
      const final = isFinalStatus(found.job.status)
      view = viewReply(JSON.stringify(found.view), final ? found.job.finishedAt ?? found.job.createdAt : null)
      if (view.final) finishedViews.set(req.params.id, view)
    }
    // Pollers send If-None-Match and get a bodyless 304 until something changes; a finished job
    // never changes again (it can only be deleted), so it is served from memory and caches may keep it.
    // No payload at all (not null, which would be serialized to "null" with a JSON content-type).
    if (notModified(req.headers, view.etag, view.lastModified)) return await reply.code(304).headers(view.notModified).send()
    return await reply.headers(view.ok).send(view.body)
  })

  app.post('/api/jobs/:id/cancel', {
    schema: { tags: ['jobs'], summary: 'Cancel a queued or running job', params: JobId, response: { 202: Type.Object({ id: Type.String(), status: Type.Union([Type.Literal('cancelled'), Type.Literal('cancelling')], { description: 'cancelled: it was queued and is now; cancelling: its runner was asked to stop and will record it' }) }), ...errors } }
  }, async (req, reply) => {
    const job = await load(req.params.id)
    const result = isFinalStatus(job.status) ? 'not-active' : await app.jobs.cancel(job.id)
    if (result === 'not-active') {
      const now = await load(job.id)
      throw new ConflictError(`job ${job.id} is ${now.status}; only queued or running jobs can be cancelled`)
    }
    return await reply.code(202).send({ id: job.id, status: result })
  })

  app.delete('/api/jobs/:id', {
    schema: { tags: ['jobs'], summary: 'Remove a finished job and its runs from history', params: JobId, response: { 204: Type.Null(), ...errors } }
  }, async (req, reply) => {
    const job = await load(req.params.id)
    if (!isFinalStatus(job.status)) throw new ConflictError(`job ${job.id} is ${job.status}; cancel it first, then delete it`)
    await app.store.deleteJob(job.id)
    finishedViews.delete(job.id)
    return await reply.code(204).send(null)
  })

  app.get('/api/jobs/:id/report', {
    schema: {
      tags: ['jobs'],
      summary: 'The per-cell summary as a download: json, csv or md (reads well in a pull request)',
      params: JobId,
      querystring: Type.Object({
        format: Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('md')], { default: 'md' }),
        disposition: Type.Union([Type.Literal('attachment'), Type.Literal('inline')], { default: 'attachment', description: 'inline: shown in the browser (as text/plain for md and csv)' })
      }, { additionalProperties: false }),
      response: { 200: Type.String(), ...errors }
    }
  }, async (req, reply) => {
    const job = await load(req.params.id)
    const summary = summaryOf(job, await app.store.listRuns(job.id))
    // The host that ran the job, which may not be the one serving this request.
    const host = job.hostId === null ? undefined : await app.store.getHost(job.hostId)
    const { format, disposition } = req.query
    // Browsers download text/markdown and text/csv whatever the disposition: plain text is shown.
    const types = disposition === 'inline' ? { json: 'application/json', csv: 'text/plain', md: 'text/plain' } as const : { json: 'application/json', csv: 'text/csv; header=present', md: 'text/markdown' } as const
    reply.header('content-type', `${types[format]}; charset=utf-8`).header('content-disposition', `${disposition}; filename="corebench-${job.id}.${format}"`)
    if (format === 'json') return JSON.stringify({ job: { id: job.id, name: job.name, status: job.status, spec: job.spec, specHash: job.specHash, warnings: job.warnings, error: job.error, hostId: job.hostId }, host: host ?? null, summary }, null, 2)
    if (format === 'csv') return toCsv(job, summary, host)
    return toMarkdown(job, summary, host)
  })
}

export default jobs
