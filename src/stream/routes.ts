import type { WebsocketPluginOptions } from '@fastify/websocket'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { WebSocket } from 'ws'
import { jobListItem, loadJobView } from '../views/jobs.js'
import type { Config } from '../config.js'
import { FINAL_EVENT } from '../jobs/events.js'
import { isFinal } from '../store/state.js'
import { Connection } from './connection.js'
import { StreamHub } from './hub.js'

declare module 'fastify' {
  interface FastifyInstance {
    streams: StreamHub
  }
}

/** WS /api/jobs/:id/stream and WS /api/stream: a snapshot first, then live events (DESIGN.md §6). */
export const websocketOptions = (app: FastifyInstance): WebsocketPluginOptions => ({
  options: { maxPayload: 4096 },
  // The running job is cancelled and announced first, so its subscribers hear job.cancelled; then
  // every client is closed, which lets server.close() finish instead of waiting on open sockets.
  preClose: async () => {
    if (app.hasDecorator('stopRunner')) await app.stopRunner()
    if (app.hasDecorator('streams')) app.streams.closeAll(1001, 'server shutting down')
  }
})

const streams: FastifyPluginAsyncTypebox<{ config: Config, onDrop?: () => void }> = async (app, { config, onDrop }) => {
  /** A job's snapshot, read from the tables; after the end, its terminal event too (the connection then closes). False when there is no such job. */
  const sendJobSnapshot = async (c: Connection, jobId: string): Promise<boolean> => {
    const found = await loadJobView(app.store, id => app.progress.get(id), jobId)
    if (found === undefined) return false
    // The job's own counter: the snapshot reflects every event up to it, live ones come above it.
    const seq = found.job.eventSeq
    c.sendSnapshot({ type: 'snapshot', jobId, seq, at: new Date().toISOString(), data: found.view })
    const status = found.job.status
    if (isFinal(status)) {
      // Joined after the end: the terminal event again, with the seq it had (never backwards),
      // after which the connection closes normally.
      c.send({ type: FINAL_EVENT[status], jobId, seq, at: new Date().toISOString(), data: jobListItem(found.job, undefined) })
    }
    return true
  }

  /** The running and queued jobs. */
  const sendListSnapshot = async (c: Connection): Promise<void> => {
    const [running, queued] = await Promise.all([
      app.store.listJobs({ status: 'running', limit: 100 }),
      app.store.listJobs({ status: 'queued', limit: 1000 })
    ])
    const jobs = [...running, ...queued.reverse()].map(j => jobListItem(j, app.progress.get(j.id)))
    c.sendSnapshot({ type: 'snapshot', jobId: null, seq: 0, at: new Date().toISOString(), data: { jobs } })
  }

  // After the bus lost messages (a database restart), every client gets a fresh snapshot: what it
  // missed is read from the tables, and a job that ended meanwhile ends its stream.
  const hub = new StreamHub(app.bus, async c => {
    try {
      if (c.jobId === null) await sendListSnapshot(c)
      else await sendJobSnapshot(c, c.jobId)
    } catch (err) {
      app.log.error({ err }, 'stream: snapshot after a reconnect failed')
      c.close(1011, 'internal error')
    }
  })
  app.decorate('streams', hub)

  const connect = (socket: WebSocket, jobId: string | null): Connection => {
    // Listeners are attached here, before any await, so no close or error event can be missed.
    const c = new Connection(socket, jobId, {
      maxBufferedBytes: config.STREAM_MAX_BUFFERED_BYTES,
      maxBehindMs: config.STREAM_MAX_BEHIND_MS,
      pingIntervalMs: config.STREAM_PING_MS,
      onDrop: () => { onDrop?.() },
      onClose: (conn) => { hub.remove(conn) }
    })
    hub.add(c)
    return c
  }

  app.get('/api/jobs/:id/stream', {
    websocket: true,
    schema: { tags: ['streams'], summary: 'WebSocket: one job\'s snapshot, then its live events; closes when the job ends', params: Type.Object({ id: Type.String({ maxLength: 64 }) }) }
  }, async (socket, req) => {
    const jobId = req.params.id
    const c = connect(socket, jobId)
    try {
      if (!await sendJobSnapshot(c, jobId)) {
        socket.send(JSON.stringify({ type: 'error', jobId, seq: 0, at: new Date().toISOString(), data: { code: 'COREBENCH_ERR_NOT_FOUND', message: `job ${jobId} not found` } }))
        c.close(4404, 'job not found')
      }
    } catch (err) {
      req.log.error({ err }, 'stream: snapshot failed')
      c.close(1011, 'internal error')
    }
  })

  app.get('/api/stream', {
    websocket: true,
    schema: { tags: ['streams'], summary: 'WebSocket: the running and queued jobs, then live events of every job' }
  }, async (socket, req) => {
    const c = connect(socket, null)
    try {
      await sendListSnapshot(c)
    } catch (err) {
      req.log.error({ err }, 'stream: snapshot failed')
      c.close(1011, 'internal error')
    }
  })
}

// fastify-plugin: the hub decoration must be visible app-wide (metrics reads the client count).
export default fp(streams, { name: 'streams', dependencies: ['runner'] })
