import { statfsSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Dialect, PrismaClient } from '../client.js'
import type { Prisma } from '../generated/client.js'

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

export interface StoreOptions {
  /** Makes a new client on the same database, to replace one a failed transaction broke (see transaction()). */
  connect?: () => Promise<PrismaClient>
  /** TRANSACTION_DEADLINE_MS by default. */
  deadlineMs?: number
  /** The SQLite file: a deadline passed on a full disk then says so. */
  file?: string
  /** The few raw queries differ by database (sqlite by default). */
  dialect?: Dialect
}

/**
 * The client every aggregate of one store shares, and its transactions with a deadline: a client
 * that a failed transaction broke is replaced for all of them at once.
 */
export class PrismaDb {
  private replacing: Promise<void> | undefined
  /** Clients given up on, and why. */
  private readonly broken = new WeakMap<PrismaClient, string>()

  private readonly connect: (() => Promise<PrismaClient>) | undefined
  private readonly deadlineMs: number
  private readonly file: string | undefined
  readonly dialect: Dialect

  constructor (private prisma: PrismaClient, opts: StoreOptions = {}) {
    this.connect = opts.connect
    this.deadlineMs = opts.deadlineMs ?? TRANSACTION_DEADLINE_MS
    this.file = opts.file
    this.dialect = opts.dialect ?? 'sqlite'
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
  async transaction<T> (fn: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
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
        if (this.dialect === 'sqlite') await this.prisma.$queryRawUnsafe('PRAGMA wal_checkpoint(TRUNCATE)').catch(() => {})
      } finally {
        this.replacing = undefined
      }
    })()
    await this.replacing
  }

  /** The client in use (a replaced one after a transaction broke the previous). */
  get client (): PrismaClient {
    return this.prisma
  }
}

/**
 * An aggregate's methods as plain functions bound to it, so that the aggregates of one store can be
 * spread into one object (class methods live on the prototype, which a spread does not copy).
 */
export function methods<T> (aggregate: T & object): T {
  const out: Record<string, unknown> = {}
  const proto = Object.getPrototypeOf(aggregate) as object
  for (const name of Object.getOwnPropertyNames(proto)) {
    // Methods only: a getter (an aggregate's view of the shared client) is not part of the store.
    const f = Object.getOwnPropertyDescriptor(proto, name)?.value as unknown
    if (name !== 'constructor' && typeof f === 'function') out[name] = f.bind(aggregate)
  }
  return out as T
}
