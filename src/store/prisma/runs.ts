import type { PrismaClient } from '../client.js'
import { Prisma, type Run } from '../generated/client.js'
import type { RunRecord, RunStore } from '../types.js'
import type { PrismaDb } from './db.js'

/** Per-task timings are stored in parts of this many bytes (16 384 tasks; see TaskTimingPart). */
const TIMING_PART_BYTES = 16_384 * 12

/** Runs and their per-task timings in SQLite. */
export class PrismaRunStore implements RunStore {
  constructor (private readonly db: PrismaDb) {}

  private get prisma (): PrismaClient {
    return this.db.client
  }

  async insertRun (run: RunRecord, timings: Float32Array | undefined, runnerId?: string): Promise<boolean> {
    const { shared, error, ...fields } = run
    const data = { ...fields, errorCode: error?.code ?? null, errorMessage: error?.message ?? null, extra: shared === null ? null : JSON.stringify({ shared }) }
    const bytes = timings === undefined ? undefined : new Uint8Array(Float32Array.from(timings).buffer)
    const stored = await this.db.transaction(async (tx) => {
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
      await this.db.transaction(async tx => await tx.taskTimingPart.createMany({ data: [{ runId: run.id, part, data: bytes.subarray(part * TIMING_PART_BYTES, (part + 1) * TIMING_PART_BYTES) }] }))
    }
    return true
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
    const hex = Prisma.raw(this.db.dialect === 'postgres' ? 'encode("data", \'hex\')' : 'hex("data")')
    const [first] = await this.prisma.$queryRaw<Array<{ count: number | bigint, hex: string }>>`SELECT "count", ${hex} AS hex FROM "TaskTiming" WHERE "runId" = ${runId}`
    if (first === undefined) return undefined
    const out = new Uint8Array(Number(first.count) * 12)
    let at = first.hex.length / 2
    if (at > out.length) return undefined
    out.set(Buffer.from(first.hex, 'hex'))
    for (let part = 1; at < out.length; part++) {
      await new Promise(resolve => setImmediate(resolve))
      const [row] = await this.prisma.$queryRaw<Array<{ hex: string }>>`SELECT ${hex} AS hex FROM "TaskTimingPart" WHERE "runId" = ${runId} AND "part" = ${part}`
      if (row === undefined || at + row.hex.length / 2 > out.length) return undefined
      out.set(Buffer.from(row.hex, 'hex'), at)
      at += row.hex.length / 2
    }
    return new Float32Array(out.buffer)
  }
}

/** A stored run as a record (the one row → record mapping of runs; history reads use it too). */
export function toRun (r: Run): RunRecord {
  const { extra, errorCode, errorMessage, ...rest } = r
  const parsed = extra === null ? null : JSON.parse(extra) as { shared?: RunRecord['shared'] }
  return { ...rest, error: errorCode === null ? null : { code: errorCode, message: errorMessage ?? '' }, shared: parsed?.shared ?? null }
}
