import type { EventEmitter } from 'node:events'
import type { FinalEvent, JobEvents } from '../jobs/events.js'
import type { JobRecord, RunRecord } from '../store/types.js'
import { jobListItem } from '../api/views.js'
import type { Connection } from './connection.js'
import type { StreamMessage } from './messages.js'

const FINAL_EVENTS: readonly FinalEvent[] = ['job.finished', 'job.failed', 'job.cancelled']

/**
 * The one place runner events become stream messages: each event is numbered and encoded once,
 * then offered to the job's subscribers and to every global subscriber.
 */
export class StreamHub {
  private readonly seqs = new Map<string, number>()
  private readonly byJob = new Map<string, Set<Connection>>()
  private readonly global = new Set<Connection>()

  constructor (source: EventEmitter<JobEvents>) {
    const job = (type: keyof JobEvents) => (j: JobRecord): void => { this.publish(type, j.id, jobListItem(j, undefined)) }
    source.on('job.queued', job('job.queued'))
    source.on('job.started', job('job.started'))
    source.on('run.started', (ref) => { this.publish('run.started', ref.jobId, ref) })
    source.on('progress', (p) => { this.publish('progress', p.jobId, p) })
    source.on('run.finished', (run) => { this.publish('run.finished', run.jobId, runData(run)) })
    for (const type of FINAL_EVENTS) {
      source.on(type, (j) => {
        this.publish(type, j.id, jobListItem(j, undefined))
        this.seqs.delete(j.id)
      })
    }
  }

  /** The seq the next snapshot should carry: live messages after it have higher numbers. */
  seq (jobId: string): number {
    return this.seqs.get(jobId) ?? 0
  }

  add (c: Connection): void {
    if (c.jobId === null) {
      this.global.add(c)
    } else {
      let set = this.byJob.get(c.jobId)
      if (set === undefined) this.byJob.set(c.jobId, set = new Set())
      set.add(c)
    }
  }

  remove (c: Connection): void {
    if (c.jobId === null) {
      this.global.delete(c)
      return
    }
    const set = this.byJob.get(c.jobId)
    set?.delete(c)
    if (set?.size === 0) this.byJob.delete(c.jobId)
  }

  get clients (): number {
    let n = this.global.size
    for (const set of this.byJob.values()) n += set.size
    return n
  }

  closeAll (code: number, reason: string): void {
    for (const c of [...this.global, ...[...this.byJob.values()].flatMap(s => [...s])]) c.close(code, reason)
  }

  private publish (type: string, jobId: string, data: unknown): void {
    const seq = (this.seqs.get(jobId) ?? 0) + 1
    this.seqs.set(jobId, seq)
    const msg: StreamMessage = { type, jobId, seq, at: new Date().toISOString(), data }
    const encoded = JSON.stringify(msg)
    for (const c of this.byJob.get(jobId) ?? []) c.send(msg, encoded)
    for (const c of this.global) c.send(msg, encoded)
  }
}

export function runData (run: RunRecord): unknown {
  return { ...run, startedAt: run.startedAt.toISOString(), finishedAt: run.finishedAt.toISOString() }
}
