import type { HostFingerprint } from '../host/fingerprint.js'
import type { PrismaClient } from './client.js'
import { Prisma, type Job, type Run } from './generated/client.js'
import type { ApiToken, Baseline, JobFilter, JobPatch, JobRecord, JobStatus, NewJob, RunRecord, Store } from './types.js'

export class PrismaStore implements Store {
  constructor (private readonly prisma: PrismaClient) {}

  async ping (): Promise<void> {
    await this.prisma.$queryRawUnsafe('SELECT 1')
  }

  async upsertHost (host: HostFingerprint): Promise<void> {
    const { id, ...fields } = host
    await this.prisma.host.upsert({ where: { id }, create: { id, ...fields }, update: { lastSeenAt: new Date() } })
  }

  async countHosts (): Promise<number> {
    return await this.prisma.host.count()
  }

  async createJob (job: NewJob): Promise<JobRecord> {
    const row = await this.prisma.job.create({
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
        tokenId: job.tokenId
      }
    })
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

  async updateJob (id: string, patch: JobPatch): Promise<void> {
    const { summary, warnings, ...rest } = patch
    await this.prisma.job.update({
      where: { id },
      data: {
        ...rest,
        ...(summary !== undefined ? { summary: JSON.stringify(summary) } : {}),
        ...(warnings !== undefined ? { warnings: JSON.stringify(warnings) } : {})
      }
    })
  }

  async deleteJob (id: string): Promise<boolean> {
    const { count } = await this.prisma.job.deleteMany({ where: { id } })
    return count > 0
  }

  async claimNextJob (hostId: string): Promise<JobRecord | undefined> {
    // The conditional update is the claim: with several runners on one database only one wins.
    for (;;) {
      const next = await this.prisma.job.findFirst({ where: { status: 'queued' }, orderBy: { id: 'asc' }, select: { id: true } })
      if (next === null) return undefined
      const now = new Date()
      const { count } = await this.prisma.job.updateMany({ where: { id: next.id, status: 'queued' }, data: { status: 'running', hostId, startedAt: now, heartbeatAt: now } })
      if (count === 1) return await this.getJob(next.id)
    }
  }

  async recoverRunningJobs (requeue: boolean): Promise<string[]> {
    const rows = await this.prisma.job.findMany({ where: { status: 'running' }, select: { id: true } })
    if (rows.length === 0) return []
    await this.prisma.job.updateMany({
      where: { id: { in: rows.map(r => r.id) } },
      data: requeue
        ? { status: 'queued', startedAt: null, error: 'interrupted by a server restart; re-queued' }
        : { status: 'interrupted', finishedAt: new Date(), error: 'interrupted: the server stopped while the job was running; runs measured before that are kept' }
    })
    return rows.map(r => r.id)
  }

  async insertRun (run: RunRecord, timings: Float32Array | undefined): Promise<void> {
    const { shared, ...fields } = run
    const data = { ...fields, extra: shared === null ? null : JSON.stringify({ shared }) }
    await this.prisma.$transaction(async (tx) => {
      await tx.run.create({ data })
      if (timings !== undefined) {
        await tx.taskTiming.create({ data: { runId: run.id, count: timings.length / 3, data: new Uint8Array(Float32Array.from(timings).buffer) } })
      }
      await tx.job.update({ where: { id: run.jobId }, data: { heartbeatAt: new Date() } })
    })
  }

  async listRuns (jobId: string): Promise<RunRecord[]> {
    const rows = await this.prisma.run.findMany({ where: { jobId }, orderBy: [{ startedAt: 'asc' }] })
    return rows.map(toRun)
  }

  async getTimings (runId: string): Promise<Float32Array | undefined> {
    const row = await this.prisma.taskTiming.findUnique({ where: { runId } })
    if (row === null) return undefined
    // Copy into an aligned buffer: the Bytes value may start at any offset.
    const bytes = Uint8Array.from(row.data)
    return new Float32Array(bytes.buffer, 0, row.count * 3)
  }

  async listCellRuns (jobIds: string[], cell: { runtime: string, executor: string, workers: number }): Promise<RunRecord[]> {
    const rows = await this.prisma.run.findMany({ where: { jobId: { in: jobIds }, runtime: cell.runtime, executor: cell.executor, workers: cell.workers, ok: true, repetition: { gte: 0 } }, orderBy: [{ startedAt: 'asc' }] })
    return rows.map(toRun)
  }

  async setBaseline (specHash: string, jobId: string): Promise<Baseline> {
    return await this.prisma.baseline.upsert({ where: { specHash }, create: { specHash, jobId }, update: { jobId, createdAt: new Date() } })
  }

  async getBaseline (specHash: string): Promise<Baseline | undefined> {
    return await this.prisma.baseline.findUnique({ where: { specHash } }) ?? undefined
  }

  async listBaselines (): Promise<Baseline[]> {
    return await this.prisma.baseline.findMany({ orderBy: { createdAt: 'desc' } })
  }

  async createToken (id: string, name: string, hash: string): Promise<ApiToken> {
    return await this.prisma.apiToken.create({ data: { id, name, hash } })
  }

  async findToken (hash: string): Promise<ApiToken | undefined> {
    return await this.prisma.apiToken.findFirst({ where: { hash, revokedAt: null } }) ?? undefined
  }

  async listTokens (): Promise<ApiToken[]> {
    return await this.prisma.apiToken.findMany({ orderBy: { createdAt: 'asc' } })
  }

  async revokeToken (name: string): Promise<number> {
    const { count } = await this.prisma.apiToken.updateMany({ where: { name, revokedAt: null }, data: { revokedAt: new Date() } })
    return count
  }

  async countActiveTokens (): Promise<number> {
    return await this.prisma.apiToken.count({ where: { revokedAt: null } })
  }

  async close (): Promise<void> {
    await this.prisma.$disconnect()
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
    // Jobs stored before the runtime axis ran on Node only.
    spec: { runtimes: ['node'], ...JSON.parse(r.spec) },
    tags: JSON.parse(r.tags),
    warnings: JSON.parse(r.warnings),
    summary: r.summary === null ? null : withRuntimes(JSON.parse(r.summary)),
    error: r.error,
    tasksDone: r.tasksDone,
    tasksTotal: r.tasksTotal,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    hostId: r.hostId,
    tokenId: r.tokenId
  }
}

/** Summaries stored before the runtime axis describe Node cells. */
function withRuntimes (summary: { cells?: Array<{ runtime?: string }>, scaling?: Array<{ runtime?: string }> }): unknown {
  for (const c of [...(summary.cells ?? []), ...(summary.scaling ?? [])]) c.runtime ??= 'node'
  return summary
}

function toRun (r: Run): RunRecord {
  const { extra, ...rest } = r
  const parsed = extra === null ? null : JSON.parse(extra) as { shared?: RunRecord['shared'] }
  return { ...rest, shared: parsed?.shared ?? null }
}
