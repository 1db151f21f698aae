import type { PrismaClient } from '../client.js'
import type { Baseline, HistoryStore, RunRecord } from '../types.js'
import type { PrismaDb } from './db.js'
import { toRun } from './runs.js'

/** History reads across jobs, and baselines, in SQLite. */
export class PrismaHistoryStore implements HistoryStore {
  constructor (private readonly db: PrismaDb) {}

  private get prisma (): PrismaClient {
    return this.db.client
  }

  async listCellRuns (jobIds: string[], cell: { runtime: string, executor: string, workers: number }): Promise<RunRecord[]> {
    const rows = await this.prisma.run.findMany({ where: { jobId: { in: jobIds }, runtime: cell.runtime, executor: cell.executor, workers: cell.workers, ok: true, warmup: false }, orderBy: [{ startedAt: 'asc' }] })
    return rows.map(toRun)
  }

  async setBaseline (specHash: string, jobId: string): Promise<Baseline> {
    return await this.db.transaction(async tx => await tx.baseline.upsert({ where: { specHash }, create: { specHash, jobId }, update: { jobId, createdAt: new Date() } }))
  }

  async getBaseline (specHash: string): Promise<Baseline | undefined> {
    return await this.prisma.baseline.findUnique({ where: { specHash } }) ?? undefined
  }

  async listBaselines (): Promise<Baseline[]> {
    return await this.prisma.baseline.findMany({ orderBy: { createdAt: 'desc' } })
  }
}
