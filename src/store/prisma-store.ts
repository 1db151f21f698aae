import { statfsSync } from 'node:fs'
import { dirname } from 'node:path'
import type { HostFingerprint } from '../host/fingerprint.js'
import { createPrismaClient, type PrismaClient } from './client.js'
import { sqlitePath } from './migrate.js'
import { Prisma, type Job, type Run } from './generated/client.js'
import { assertTransition, isFinal } from '../jobs/state.js'
import type { ApiToken, Baseline, JobFilter, JobPatch, JobRecord, JobStatus, JobTransition, MachineClaim, NewJob, RunRecord, Store } from './types.js'

/** Longest a transaction may take before the store gives up on it and on its client. */
export const TRANSACTION_DEADLINE_MS = 10_000

export class StoreDeadlineError extends Error {
  override name = 'StoreDeadlineError'
  readonly code = 'COREBENCH_ERR_DB_DEADLINE'
}

/** SQLite failures inside a transaction that leave the adapter's lock held (constraint errors do not). */
function wedges (err: unknown): boolean {
  const e = err as { code?: unknown, message?: unknown }
  return /^SQLITE_(?!CONSTRAINT)|^P1008$/.test(String(e.code ?? '')) || /disk is full|disk I\/O error|database is locked|unable to open/i.test(String(e.message ?? ''))
}

/** Per-task timings are stored in parts of this many bytes (16 384 tasks; see TaskTimingPart). */
const TIMING_PART_BYTES = 16_384 * 12

export interface StoreOptions {
  /** Makes a new client on the same database, to replace one a failed transaction broke (see transaction()). */
  connect?: () => Promise<PrismaClient>
  /** TRANSACTION_DEADLINE_MS by default. */
  deadlineMs?: number
  /** The SQLite file: a deadline passed on a full disk then says so. */
  file?: string
}

export class PrismaStore implements Store {
  private replacing: Promise<void> | undefined
  /** Clients given up on, and why. */
  private readonly broken = new WeakMap<PrismaClient, string>()

  private readonly connect: (() => Promise<PrismaClient>) | undefined
  private readonly deadlineMs: number
  private readonly file: string | undefined

  constructor (private prisma: PrismaClient, opts: StoreOptions = {}) {
    this.connect = opts.connect
    this.deadlineMs = opts.deadlineMs ?? TRANSACTION_DEADLINE_MS
    this.file = opts.file
  }

  /** "the disk is full" when the database's filesystem has (almost) no room left: the likeliest reason a transaction never ends. */
  private diskNote (): string {
    if (this.file === undefined) return ''
    try {
      const fs = statfsSync(dirname(this.file))
      const free = Number(fs.bavail) * Number(fs.bsize)
      return free < 1024 * 1024 ? `; the disk is full (${free} bytes free where the database is)` : ''
    } catch {
      return ''
    }
  }

  /**
   * An interactive transaction with a deadline. The better-sqlite3 adapter never releases its
   * transaction lock after a transaction fails inside SQLite (disk full, I/O error): every later
   * transaction of that client waits for ever while plain queries go on working (seen with a full
   * tmpfs). So a transaction that fails that way, or passes the deadline, costs the client: it is
   * disconnected (which releases the lock and SQLite's) and replaced, and the caller gets the error.
   */
  private async transaction<T> (fn: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
    await this.replacing
    const client = this.prisma
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => { reject(new StoreDeadlineError(`a database transaction took longer than ${this.deadlineMs} ms${this.diskNote()}`)) }, this.deadlineMs)
    })
    try {
      return await Promise.race([client.$transaction(fn), deadline])
    } catch (err) {
      // A transaction queued behind one that broke the client waits for ever: its honest reason
      // is the one that broke it.
      const broke = this.broken.get(client)
      if (err instanceof StoreDeadlineError && broke !== undefined) throw new StoreDeadlineError(`${broke} (the database connection broke while this transaction waited)`)
      if (err instanceof StoreDeadlineError || wedges(err)) await this.replace(client, (err as Error).message)
      throw err
    } finally {
      clearTimeout(timer)
    }
  }

  private async replace (broken: PrismaClient, why: string): Promise<void> {
    this.broken.set(broken, why)
    if (this.connect === undefined || this.prisma !== broken) return
    this.replacing ??= (async () => {
      try {
        this.prisma = await this.connect?.() ?? broken
        await Promise.race([broken.$disconnect(), new Promise(resolve => setTimeout(resolve, 1000))])
        // On a full disk the WAL is what grew: moving it into the database and truncating it gives
        // the space back for the writes that record the failure (best effort).
        await this.prisma.$queryRawUnsafe('PRAGMA wal_checkpoint(TRUNCATE)').catch(() => {})
      } finally {
        this.replacing = undefined
      }
    })()
    await this.replacing
  }

  async ping (): Promise<void> {
    await this.prisma.$queryRawUnsafe('SELECT 1')
  }

  async upsertHost (host: HostFingerprint): Promise<void> {
    const { id, ...fields } = host
    // The topology is not hashed into the id (a governor may change): the latest reading is kept.
    const { cpuQuota, physicalCores, numaNodes, cpuGovernor, virtualMachine, systemVendor } = fields
    await this.prisma.host.upsert({ where: { id }, create: { id, ...fields }, update: { lastSeenAt: new Date(), cpuQuota, physicalCores, numaNodes, cpuGovernor, virtualMachine, systemVendor } })
  }

  async countHosts (): Promise<number> {
    return await this.prisma.host.count()
  }

  async createJob (job: NewJob): Promise<JobRecord> {
    // A nested write is a transaction too: under the deadline, so a full disk cannot wedge the client.
    const row = await this.transaction(async tx => await tx.job.create({
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

  async claimNextJob (claim: { runnerId: string, hostId: string, runtimes: readonly string[] }): Promise<JobRecord | undefined> {
    const runnable = (spec: string): boolean => (JSON.parse(spec) as { runtimes?: string[] }).runtimes?.every(r => claim.runtimes.includes(r)) ?? claim.runtimes.includes('node')
    // Oldest first; a job this runner cannot run waits for one that can. The conditional transition
    // is the claim: of several runners on one database only one wins each job.
    for (let skip = 0; ;) {
      const batch = await this.prisma.job.findMany({ where: { status: 'queued' }, orderBy: { id: 'asc' }, select: { id: true, spec: true }, skip, take: 20 })
      if (batch.length === 0) return undefined
      for (const next of batch) {
        if (!runnable(next.spec)) continue
        const now = new Date()
        const job = await this.transitionJob(next.id, { from: 'queued', to: 'running', patch: { hostId: claim.hostId, startedAt: now }, holder: claim.runnerId })
        if (job !== undefined) return job
      }
      skip += batch.length
    }
  }

  async transitionJob (id: string, t: JobTransition): Promise<JobRecord | undefined> {
    assertTransition(t.from, t.to)
    const { summary, warnings, ...rest } = t.patch ?? {}
    const now = new Date()
    return await this.transaction(async (tx) => {
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
    const { count } = await this.prisma.job.updateMany({ where: { id, status: 'running', runnerId }, data: { heartbeatAt: new Date() } })
    if (count === 0) return { held: false, cancelRequested: false }
    const row = await this.prisma.job.findUnique({ where: { id }, select: { cancelRequestedAt: true } })
    return { held: true, cancelRequested: row?.cancelRequestedAt != null }
  }

  async requestCancel (id: string): Promise<boolean> {
    const { count } = await this.prisma.job.updateMany({ where: { id, status: 'running' }, data: { cancelRequestedAt: new Date() } })
    return count > 0
  }

  async nextEventSeq (id: string, runnerId?: string): Promise<number | undefined> {
    return await this.transaction(async (tx) => {
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
    const { count } = await this.prisma.job.updateMany({
      where: { id, status: 'running', runnerId },
      data: { ...(patch.tasksDone !== undefined ? { tasksDone: patch.tasksDone } : {}), ...(patch.warnings !== undefined ? { warnings: JSON.stringify(patch.warnings) } : {}) }
    })
    return count > 0
  }

  async insertRun (run: RunRecord, timings: Float32Array | undefined, runnerId?: string): Promise<boolean> {
    const { shared, ...fields } = run
    const data = { ...fields, extra: shared === null ? null : JSON.stringify({ shared }) }
    const bytes = timings === undefined ? undefined : new Uint8Array(Float32Array.from(timings).buffer)
    const stored = await this.transaction(async (tx) => {
      // The lease check and the insert commit together: a recovered job takes no late results.
      const { count } = await tx.job.updateMany({ where: { id: run.jobId, ...(runnerId !== undefined ? { status: 'running', runnerId } : {}) }, data: { heartbeatAt: new Date() } })
      if (count === 0) return false
      await tx.run.create({ data, select: { id: true } })
      if (bytes !== undefined) await tx.taskTiming.create({ data: { runId: run.id, count: bytes.length / 12, data: bytes.subarray(0, TIMING_PART_BYTES) }, select: { runId: true } })
      return true
    })
    if (!stored) return false
    // A large run's other parts go one statement each, after a turn of the event loop: Prisma
    // spends ~100 ns per byte of a Bytes value on the calling thread, so 300 000 tasks (3.6 MB) at
    // once would hold every other request ~0.4 s (issue 15 §5). A crash in between leaves parts
    // missing, which getTimings reads as no timings at all.
    for (let part = 1; bytes !== undefined && part * TIMING_PART_BYTES < bytes.length; part++) {
      await new Promise(resolve => setImmediate(resolve))
      await this.prisma.taskTimingPart.createMany({ data: [{ runId: run.id, part, data: bytes.subarray(part * TIMING_PART_BYTES, (part + 1) * TIMING_PART_BYTES) }] })
    }
    return true
  }

  async claimMachine (claim: MachineClaim, holderGone: (holder: MachineClaim) => boolean): Promise<{ ok: true } | { ok: false, holder: MachineClaim }> {
    for (;;) {
      const holder = await this.prisma.runnerClaim.findUnique({ where: { machineId: claim.machineId } })
      if (holder === null) {
        try {
          await this.prisma.runnerClaim.create({ data: claim })
          return { ok: true }
        } catch (err) {
          if ((err as { code?: string }).code === 'P2002') continue // another runner was faster: look again
          throw err
        }
      }
      if (!holderGone(holder)) return { ok: false, holder }
      // Take it over only from the holder we judged dead, never from one that replaced it meanwhile.
      const { count } = await this.prisma.runnerClaim.updateMany({ where: { machineId: claim.machineId, runnerId: holder.runnerId }, data: claim })
      if (count === 1) return { ok: true }
    }
  }

  async heartbeatMachine (machineId: string, runnerId: string): Promise<boolean> {
    const { count } = await this.prisma.runnerClaim.updateMany({ where: { machineId, runnerId }, data: { heartbeatAt: new Date() } })
    return count > 0
  }

  async releaseMachine (machineId: string, runnerId: string): Promise<void> {
    await this.prisma.runnerClaim.deleteMany({ where: { machineId, runnerId } })
  }

  async listRuns (jobId: string): Promise<RunRecord[]> {
    const job = await this.prisma.job.findUnique({ where: { id: jobId }, select: { attempt: true } })
    if (job === null) return []
    const rows = await this.prisma.run.findMany({ where: { jobId, attempt: job.attempt }, orderBy: [{ startedAt: 'asc' }] })
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
    tokenId: r.tokenId,
    runnerId: r.runnerId,
    eventSeq: r.eventSeq,
    attempt: r.attempt
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

/** The store of a `file:` database URL, able to replace a broken client and to say when its disk is full. */
export async function openStore (databaseUrl: string): Promise<PrismaStore> {
  const connect = async (): Promise<PrismaClient> => await createPrismaClient(databaseUrl)
  return new PrismaStore(await connect(), { connect, file: sqlitePath(databaseUrl) })
}
