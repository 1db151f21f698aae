import type { HostFingerprint } from '../../host/fingerprint.js'
import type { ApiToken, Baseline, HistoryStore, HostStore, MachineClaim, RunRecord, RunStore, Store, TokenStore } from '../types.js'
import { MemoryJobStore, type MemoryStoreOptions } from './jobs.js'

/**
 * The whole store in memory, FOR TESTS: the job queue of MemoryJobStore plus runs, history, tokens
 * and hosts, with the contract of the Prisma store (test/store/contract.test.ts runs the same cases
 * on both). Records go in and out as copies.
 */
export class MemoryStore extends MemoryJobStore implements Store, HostStore, RunStore, HistoryStore, TokenStore {
  private readonly runs = new Map<string, { run: RunRecord, timings: Float32Array | undefined }>()
  private readonly hosts = new Map<string, HostFingerprint>()
  private readonly machines = new Map<string, MachineClaim>()
  private readonly baselines = new Map<string, Baseline>()
  private readonly tokens: ApiToken[] = []

  /** `hosts`: recorded from the start, as a runner records its own before it claims. */
  constructor (opts: MemoryStoreOptions & { hosts?: readonly HostFingerprint[] } = {}) {
    super(opts)
    for (const h of opts.hosts ?? []) this.hosts.set(h.id, { ...h })
  }

  async ping (): Promise<void> {}
  async close (): Promise<void> {}

  override async deleteJob (id: string): Promise<boolean> {
    // Its runs and any baseline naming it go with it (ON DELETE CASCADE in the database).
    for (const [runId, r] of this.runs) if (r.run.jobId === id) this.runs.delete(runId)
    for (const [specHash, b] of this.baselines) if (b.jobId === id) this.baselines.delete(specHash)
    return await super.deleteJob(id)
  }

  async insertRun (run: RunRecord, timings: Float32Array | undefined, runnerId?: string): Promise<boolean> {
    const row = runnerId === undefined ? this.rows.get(run.jobId) : this.heldBy(run.jobId, runnerId)
    if (row === undefined) return false
    // A stored run renews the lease, in the same step as the holder check.
    row.heartbeatAt = this.now()
    this.runs.set(run.id, { run: structuredClone(run), timings: timings === undefined ? undefined : Float32Array.from(timings) })
    return true
  }

  async listRuns (jobId: string): Promise<RunRecord[]> {
    const attempt = this.rows.get(jobId)?.job.attempt
    return this.runsWhere(r => r.jobId === jobId && r.attempt === attempt)
  }

  async getTimings (runId: string): Promise<Float32Array | undefined> {
    const t = this.runs.get(runId)?.timings
    return t === undefined ? undefined : Float32Array.from(t)
  }

  async listCellRuns (jobIds: string[], cell: { runtime: string, executor: string, workers: number }): Promise<RunRecord[]> {
    return this.runsWhere(r => jobIds.includes(r.jobId) && r.runtime === cell.runtime && r.executor === cell.executor && r.workers === cell.workers && r.ok && !r.warmup)
  }

  async setBaseline (specHash: string, jobId: string): Promise<Baseline> {
    if (!this.rows.has(jobId)) throw new Error(`Foreign key constraint violated: no job ${jobId}`)
    const b = { specHash, jobId, createdAt: this.now() }
    this.baselines.set(specHash, b)
    return { ...b }
  }

  async getBaseline (specHash: string): Promise<Baseline | undefined> {
    const b = this.baselines.get(specHash)
    return b === undefined ? undefined : { ...b }
  }

  async listBaselines (): Promise<Baseline[]> {
    return [...this.baselines.values()].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()).map(b => ({ ...b }))
  }

  async createToken (id: string, name: string, hash: string): Promise<ApiToken> {
    if (this.tokens.some(t => t.id === id || t.hash === hash)) throw new Error('Unique constraint failed on ApiToken id or hash')
    const token = { id, name, hash, createdAt: this.now(), lastUsedAt: null, revokedAt: null }
    this.tokens.push(token)
    return { ...token }
  }

  async findToken (hash: string): Promise<ApiToken | undefined> {
    const t = this.tokens.find(t => t.hash === hash && t.revokedAt === null)
    return t === undefined ? undefined : { ...t }
  }

  async listTokens (): Promise<ApiToken[]> {
    return this.tokens.map(t => ({ ...t }))
  }

  async revokeToken (name: string): Promise<number> {
    const active = this.tokens.filter(t => t.name === name && t.revokedAt === null)
    for (const t of active) t.revokedAt = this.now()
    return active.length
  }

  async countActiveTokens (): Promise<number> {
    return this.tokens.filter(t => t.revokedAt === null).length
  }

  async upsertHost (host: HostFingerprint): Promise<void> {
    if (!this.hosts.has(host.id)) this.hosts.set(host.id, { ...host })
  }

  async getHost (id: string): Promise<HostFingerprint | undefined> {
    const h = this.hosts.get(id)
    return h === undefined ? undefined : { ...h }
  }

  async countHosts (): Promise<number> {
    return this.hosts.size
  }

  async claimMachine (claim: MachineClaim, holderGone: (holder: MachineClaim) => boolean): Promise<{ ok: true } | { ok: false, holder: MachineClaim }> {
    const holder = this.machines.get(claim.machineId)
    if (holder !== undefined && holder.releasedAt === null && !holderGone({ ...holder })) return { ok: false, holder: { ...holder } }
    this.machines.set(claim.machineId, structuredClone(claim))
    return { ok: true }
  }

  async heartbeatMachine (machineId: string, runnerId: string): Promise<boolean> {
    const holder = this.machines.get(machineId)
    if (holder?.runnerId !== runnerId || holder.releasedAt !== null) return false
    holder.heartbeatAt = this.now()
    return true
  }

  async releaseMachine (machineId: string, runnerId: string): Promise<void> {
    const holder = this.machines.get(machineId)
    if (holder?.runnerId === runnerId && holder.releasedAt === null) holder.releasedAt = this.now()
  }

  async listMachines (): Promise<MachineClaim[]> {
    return [...this.machines.values()].sort((a, b) => a.name.localeCompare(b.name)).map(m => structuredClone(m))
  }

  protected override exists (table: 'host' | 'token', id: string): boolean {
    return table === 'host' ? this.hosts.has(id) : this.tokens.some(t => t.id === id)
  }

  private runsWhere (ok: (r: RunRecord) => boolean): RunRecord[] {
    return [...this.runs.values()].map(r => r.run).filter(ok)
      .sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime())
      .map(r => structuredClone(r))
  }
}
