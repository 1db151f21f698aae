import type { PrismaClient } from '../client.js'
import { Prisma, type Job } from '../generated/client.js'
import type { JobVersions } from '../../schemas/workload.js'
import { assertTransition, claimable, isFinal } from '../state.js'
import type { JobClaim, JobFilter, JobPatch, JobRecord, JobStatus, JobStore, JobTransition, NewJob } from '../types.js'
import type { PrismaDb } from './db.js'

/** Jobs and their queue in SQLite: each status change one conditional update. */
export class PrismaJobStore implements JobStore {
  constructor (private readonly db: PrismaDb) {}

  private get prisma (): PrismaClient {
    return this.db.client
  }

  async createJob (job: NewJob): Promise<JobRecord> {
    // A nested write is a transaction too: under the deadline, so a full disk cannot wedge the client.
    const row = await this.db.transaction(async tx => await tx.job.create({
      data: {
        id: job.id,
        name: job.spec.name,
        status: 'queued',
        workloadId: job.spec.workload.id,
        specHash: job.specHash,
        spec: JSON.stringify(job.spec),
        tags: JSON.stringify(job.spec.tags),
        tagRows: { create: Object.entries(job.spec.tags).map(([key, value]) => ({ key, value })) },
        warnings: JSON.stringify(job.warnings),
        tasksTotal: job.tasksTotal,
        tokenId: job.tokenId,
        queues: JSON.stringify(job.queues ?? []),
        eventSeq: 1 // job.queued
      }
    }))
    return toJob(row)
  }

  async getJob (id: string): Promise<JobRecord | undefined> {
    const row = await this.prisma.job.findUnique({ where: { id } })
    return row === null ? undefined : toJob(row)
  }

  async listJobs (f: JobFilter): Promise<JobRecord[]> {
    // The page's ids come from one indexed query (see jobIdQuery), the rows from their primary key.
    const ids = (await this.prisma.$queryRaw<Array<{ id: string }>>(jobIdQuery(f))).map(r => r.id)
    if (ids.length === 0) return []
    const rows = await this.prisma.job.findMany({ where: { id: { in: ids } }, orderBy: { id: 'desc' } })
    return rows.map(toJob)
  }

  async countJobs (status: JobStatus): Promise<number> {
    return await this.prisma.job.count({ where: { status } })
  }

  /** Fields that are not the job's state (see transitionJob for those). */
  async updateJob (id: string, patch: JobPatch): Promise<void> {
    const { summary, warnings, ...rest } = patch
    await this.db.transaction(async tx => await tx.job.update({
      where: { id },
      data: {
        ...rest,
        ...(summary !== undefined ? { summary: JSON.stringify(summary) } : {}),
        ...(warnings !== undefined ? { warnings: JSON.stringify(warnings) } : {})
      }
    }))
  }

  async deleteJob (id: string): Promise<boolean> {
    const { count } = await this.db.transaction(async tx => await tx.job.deleteMany({ where: { id } }))
    return count > 0
  }

  async claimNextJob (claim: JobClaim): Promise<JobRecord | undefined> {
    const runnable = (row: { spec: string, queues: string }): boolean => claimable({ spec: JSON.parse(row.spec), queues: JSON.parse(row.queues) }, claim)
    // Oldest first; a job this runner cannot run waits for one that can. The conditional transition
    // is the claim: of several runners on one database only one wins each job.
    for (let skip = 0; ;) {
      const batch = await this.prisma.job.findMany({ where: { status: 'queued' }, orderBy: { id: 'asc' }, select: { id: true, spec: true, queues: true }, skip, take: 20 })
      if (batch.length === 0) return undefined
      for (const next of batch) {
        if (!runnable(next)) continue
        const now = new Date()
        const job = await this.transitionJob(next.id, { from: 'queued', to: 'running', patch: { hostId: claim.hostId, runnerName: claim.name ?? null, startedAt: now }, holder: claim.runnerId })
        if (job !== undefined) return job
      }
      skip += batch.length
    }
  }

  async claimJob (id: string, claim: JobClaim): Promise<JobRecord | undefined> {
    const row = await this.prisma.job.findUnique({ where: { id }, select: { status: true, spec: true, queues: true } })
    if (row?.status !== 'queued' || !claimable({ spec: JSON.parse(row.spec), queues: JSON.parse(row.queues) }, claim)) return undefined
    return await this.transitionJob(id, { from: 'queued', to: 'running', patch: { hostId: claim.hostId, runnerName: claim.name ?? null, startedAt: new Date() }, holder: claim.runnerId })
  }

  async transitionJob (id: string, t: JobTransition): Promise<JobRecord | undefined> {
    assertTransition(t.from, t.to)
    const { summary, warnings, ...rest } = t.patch ?? {}
    const now = new Date()
    return await this.db.transaction(async (tx) => {
      const { count } = await tx.job.updateMany({
        where: {
          id,
          status: t.from,
          ...(t.runnerId !== undefined ? { runnerId: t.runnerId } : {}),
          ...(t.noCancelRequest === true ? { cancelRequestedAt: null } : {}),
          ...(t.staleBefore !== undefined ? { OR: [{ heartbeatAt: null }, { heartbeatAt: { lt: t.staleBefore } }] } : {})
        },
        data: {
          ...rest,
          status: t.to,
          eventSeq: { increment: 1 },
          ...(summary !== undefined ? { summary: JSON.stringify(summary) } : {}),
          ...(warnings !== undefined ? { warnings: JSON.stringify(warnings) } : {}),
          ...(t.to === 'running' ? { runnerId: t.holder ?? null, heartbeatAt: now, cancelRequestedAt: null } : {}),
          ...(t.to === 'queued' ? { startedAt: null, runnerId: null, heartbeatAt: null, cancelRequestedAt: null, attempt: { increment: 1 } } : {}),
          ...(isFinal(t.to) ? { finishedAt: rest.finishedAt ?? now } : {})
        }
      })
      if (count === 0) return undefined
      const row = await tx.job.findUnique({ where: { id } })
      return row === null ? undefined : toJob(row)
    })
  }

  async heartbeatJob (id: string, runnerId: string): Promise<{ held: boolean, cancelRequested: boolean }> {
    return await this.db.transaction(async (tx) => {
      const { count } = await tx.job.updateMany({ where: { id, status: 'running', runnerId }, data: { heartbeatAt: new Date() } })
      if (count === 0) return { held: false, cancelRequested: false }
      const row = await tx.job.findUnique({ where: { id }, select: { cancelRequestedAt: true } })
      return { held: true, cancelRequested: row?.cancelRequestedAt != null }
    })
  }

  async requestCancel (id: string): Promise<boolean> {
    const { count } = await this.db.transaction(async tx => await tx.job.updateMany({ where: { id, status: 'running' }, data: { cancelRequestedAt: new Date() } }))
    return count > 0
  }

  async nextEventSeq (id: string, runnerId?: string): Promise<number | undefined> {
    return await this.db.transaction(async (tx) => {
      const { count } = await tx.job.updateMany({ where: { id, ...(runnerId !== undefined ? { status: 'running', runnerId } : {}) }, data: { eventSeq: { increment: 1 } } })
      if (count === 0) return undefined
      const row = await tx.job.findUnique({ where: { id }, select: { eventSeq: true } })
      return row?.eventSeq
    })
  }

  async heldJobs (by: { runnerId?: string, staleBefore?: Date }): Promise<JobRecord[]> {
    const or: Prisma.JobWhereInput[] = []
    if (by.runnerId !== undefined) or.push({ runnerId: by.runnerId })
    if (by.staleBefore !== undefined) or.push({ heartbeatAt: { lt: by.staleBefore } }, { heartbeatAt: null })
    if (or.length === 0) return []
    const rows = await this.prisma.job.findMany({ where: { status: 'running', OR: or }, orderBy: { id: 'asc' } })
    return rows.map(toJob)
  }

  async updateHeldJob (id: string, runnerId: string, patch: Pick<JobPatch, 'tasksDone' | 'warnings'>): Promise<boolean> {
    const { count } = await this.db.transaction(async tx => await tx.job.updateMany({
      where: { id, status: 'running', runnerId },
      data: { ...(patch.tasksDone !== undefined ? { tasksDone: patch.tasksDone } : {}), ...(patch.warnings !== undefined ? { warnings: JSON.stringify(patch.warnings) } : {}) }
    }))
    return count > 0
  }

  async setJobVersions (id: string, runnerId: string, versions: JobVersions): Promise<boolean> {
    const { count } = await this.db.transaction(async tx => await tx.job.updateMany({ where: { id, status: 'running', runnerId }, data: { versions: JSON.stringify(versions) } }))
    return count > 0
  }
}

/**
 * The ids of one page of jobs, newest first, as SQL with bound parameters (Prisma.sql picks the
 * placeholders of the database in use). Every filter is an exact, case-sensitive `=` (no LIKE, so
 * `%` and `_` are plain characters) on a column that leads an index ending in id
 * (prisma/schema.prisma), so a page of n reads about n index entries. A tag filter walks JobTag's
 * (key, value, jobId) index and joins each job by its key; other filters given with it are checked
 * on those jobs. Exported for the query-plan test.
 */
export function jobIdQuery (f: JobFilter): Prisma.Sql {
  const id = f.tag === undefined ? Prisma.raw('j."id"') : Prisma.raw('t."jobId"')
  const where: Prisma.Sql[] = []
  const eq = (column: string, value: string | undefined): void => {
    if (value !== undefined) where.push(Prisma.sql`${Prisma.raw(column)} = ${value}`)
  }
  eq('t."key"', f.tag?.key)
  eq('t."value"', f.tag?.value)
  eq('j."status"', f.status)
  eq('j."workloadId"', f.workload)
  eq('j."hostId"', f.host)
  eq('j."runnerName"', f.runner)
  eq('j."specHash"', f.specHash)
  if (f.before !== undefined) where.push(Prisma.sql`${id} < ${f.before}`)
  const from = Prisma.raw(f.tag === undefined ? '"Job" AS j' : '"JobTag" AS t JOIN "Job" AS j ON j."id" = t."jobId"')
  const filter = where.length === 0 ? Prisma.empty : Prisma.sql`WHERE ${Prisma.join(where, ' AND ')}`
  return Prisma.sql`SELECT ${id} AS id FROM ${from} ${filter} ORDER BY ${id} DESC LIMIT ${f.limit}`
}

function toJob (r: Job): JobRecord {
  return {
    id: r.id,
    name: r.name,
    status: r.status as JobStatus,
    workloadId: r.workloadId,
    specHash: r.specHash,
    // Rows stored before the runtime axis were given theirs by a migration (20261201000500_legacy_job_rows).
    spec: JSON.parse(r.spec),
    tags: JSON.parse(r.tags),
    warnings: JSON.parse(r.warnings),
    summary: r.summary === null ? null : JSON.parse(r.summary),
    error: r.error,
    tasksDone: r.tasksDone,
    tasksTotal: r.tasksTotal,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    hostId: r.hostId,
    tokenId: r.tokenId,
    runnerId: r.runnerId,
    runnerName: r.runnerName,
    queues: JSON.parse(r.queues),
    eventSeq: r.eventSeq,
    attempt: r.attempt,
    versions: r.versions === null ? null : JSON.parse(r.versions) as JobVersions
  }
}
