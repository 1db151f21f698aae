import type { HostFingerprint } from '../host/fingerprint.js'
import type { PrismaClient } from './client.js'
import type { Job, Prisma, Run } from './generated/client.js'
import type { ApiToken, Baseline, JobFilter, JobPatch, JobRecord, JobStatus, NewJob, RunRecord, Store } from './types.js'

/** Per-task timings are stored in parts of this many bytes (16 384 tasks; see TaskTimingPart). */
const TIMING_PART_BYTES = 16_384 * 12

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
    const where: Prisma.JobWhereInput = {}
    if (f.status !== undefined) where.status = f.status
    if (f.workload !== undefined) where.workloadId = f.workload
    if (f.host !== undefined) where.hostId = f.host
    if (f.specHash !== undefined) where.specHash = f.specHash
    if (f.before !== undefined) where.id = { lt: f.before }
    // Tags are stored as JSON text; an exact `"key":"value"` pair is a safe substring match.
    if (f.tag !== undefined) where.tags = { contains: `${JSON.stringify(f.tag.key)}:${JSON.stringify(f.tag.value)}` }
    const rows = await this.prisma.job.findMany({ where, orderBy: { id: 'desc' }, take: f.limit })
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
    const bytes = timings === undefined ? undefined : new Uint8Array(Float32Array.from(timings).buffer)
    await this.prisma.$transaction(async (tx) => {
      await tx.run.create({ data, select: { id: true } })
      if (bytes !== undefined) await tx.taskTiming.create({ data: { runId: run.id, count: bytes.length / 12, data: bytes.subarray(0, TIMING_PART_BYTES) }, select: { runId: true } })
      await tx.job.update({ where: { id: run.jobId }, data: { heartbeatAt: new Date() }, select: { id: true } })
    })
    // A large run's other parts go one statement each, after a turn of the event loop: Prisma
    // spends ~100 ns per byte of a Bytes value on the calling thread, so 300 000 tasks (3.6 MB) at
    // once would hold every other request ~0.4 s (issue 15 §5). A crash in between leaves parts
    // missing, which getTimings reads as no timings at all.
    for (let part = 1; bytes !== undefined && part * TIMING_PART_BYTES < bytes.length; part++) {
      await new Promise(resolve => setImmediate(resolve))
      await this.prisma.taskTimingPart.createMany({ data: [{ runId: run.id, part, data: bytes.subarray(part * TIMING_PART_BYTES, (part + 1) * TIMING_PART_BYTES) }] })
    }
  }

  async listRuns (jobId: string): Promise<RunRecord[]> {
    const rows = await this.prisma.run.findMany({ where: { jobId }, orderBy: [{ startedAt: 'asc' }] })
    return rows.map(toRun)
  }

  async getTimings (runId: string): Promise<Float32Array | undefined> {
    // As hex text, part by part: Prisma hands a Bytes column over as an array of numbers (~70 ns a
    // byte), text costs a tenth of that; and into an aligned buffer of our own.
    const [first] = await this.prisma.$queryRawUnsafe<Array<{ count: number | bigint, hex: string }>>('SELECT "count", hex("data") AS hex FROM "TaskTiming" WHERE "runId" = ?', runId)
    if (first === undefined) return undefined
    const out = new Uint8Array(Number(first.count) * 12)
    let at = first.hex.length / 2
    if (at > out.length) return undefined
    out.set(Buffer.from(first.hex, 'hex'))
    for (let part = 1; at < out.length; part++) {
      await new Promise(resolve => setImmediate(resolve))
      const [row] = await this.prisma.$queryRawUnsafe<Array<{ hex: string }>>('SELECT hex("data") AS hex FROM "TaskTimingPart" WHERE "runId" = ? AND "part" = ?', runId, part)
      if (row === undefined || at + row.hex.length / 2 > out.length) return undefined
      out.set(Buffer.from(row.hex, 'hex'), at)
      at += row.hex.length / 2
    }
    return new Float32Array(out.buffer)
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
