import { statfsSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Dialect, PrismaClient } from '../client.js'
import type { Prisma } from '../generated/client.js'

/** Longest a transaction may take before the store gives up on it and on its client. */
export const TRANSACTION_DEADLINE_MS = 10_000

/** Longest a disconnect may take (closing the store, replacing a broken client). */
const DISCONNECT_MS = 1000

export class StoreDeadlineError extends Error {
  override name = 'StoreDeadlineError'
  readonly code = 'COREBENCH_ERR_DB_DEADLINE'
}

/**
 * A write that failed, by whatever path, while the database's filesystem had (almost) no room left.
 * Its code is SQLite's own for a full disk, so the API answers it as any full database (503); the
 * error Prisma gave is the `cause` (often a secondary one, see wedges()).
 */
export class StoreDiskFullError extends Error {
  override name = 'StoreDiskFullError'
  readonly code = 'SQLITE_FULL'
}

/**
 * Failures inside a transaction that leave the adapter's lock held (constraint errors do not).
 * "A rollback cannot be executed on a committed transaction" is what Prisma 6.19 reports when a
 * COMMIT fails (on a full disk, say): it marks the transaction committed, then its own rollback
 * fails on that mark and that error replaces the COMMIT's, while the adapter's lock stays held.
 */
function wedges (err: unknown): boolean {
  const e = err as { code?: unknown, message?: unknown }
  return /^SQLITE_(?!CONSTRAINT)|^P1008$/.test(String(e.code ?? '')) || /disk is full|disk I\/O error|database is locked|unable to open|rollback cannot be executed on a committed/i.test(String(e.message ?? ''))
}

/** Any failure of the database itself (not of the caller's data): what a full disk can cause. */
function storageFailure (err: unknown): boolean {
  return err instanceof StoreDeadlineError || wedges(err) || (err as { code?: unknown }).code === 'P2028'
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
  private readonly broken = new WeakMap<PrismaClient, Error>()

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

  /** "the disk is full (…)" when the database's filesystem has (almost) no room left, else undefined. */
  private diskFull (): string | undefined {
    if (this.file === undefined) return undefined
    try {
      const fs = statfsSync(dirname(this.file))
      const free = Number(fs.bavail) * Number(fs.bsize)
      return free < 1024 * 1024 ? `the disk is full (${free} bytes free where the database is)` : undefined
    } catch {
      return undefined
    }
  }

  /**
   * The error to give the caller: a storage failure on a full disk is told as that, whichever error
   * Prisma gave (a deadline passed, a COMMIT that failed, the secondary error of its cleanup).
   */
  private reason (err: unknown): unknown {
    if (err instanceof StoreDiskFullError || !storageFailure(err)) return err
    const full = this.diskFull()
    return full === undefined ? err : new StoreDiskFullError(`the database could not be written: ${full}`, { cause: err })
  }

  /**
   * An interactive transaction with a deadline; every write of the store is one (a single write
   * too: Prisma runs many of those in a transaction of its own, with no deadline and no way back
   * from a failed COMMIT). The better-sqlite3 adapter never releases its transaction lock after a
   * transaction fails inside SQLite (disk full, I/O error): every later transaction of that client
   * waits for ever while plain queries go on working (seen with a full tmpfs). So a transaction
   * that fails that way, or passes the deadline, costs the client: it is disconnected (which
   * releases the lock and SQLite's) and replaced, and the caller gets the error, told as a full
   * disk when the disk is full (see reason()).
   */
  async transaction<T> (fn: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
    // A replacement that failed is the concern of the transaction that started it (see below).
    await this.replacing?.catch(() => {})
    // A client whose replacement failed before (no new connection opens on a full disk) is replaced
    // first: once there is room, the first write goes through.
    const broke = this.broken.get(this.prisma)
    if (broke !== undefined) await this.replace(this.prisma, broke).catch(() => {})
    const client = this.prisma
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => { reject(new StoreDeadlineError(`a database transaction took longer than ${this.deadlineMs} ms`)) }, this.deadlineMs)
    })
    // Prisma's own limits (2 s to start, 5 s to finish by default) would end a slow transaction
    // first, with errors that neither replace the client nor say why: on SQLite the deadline is the
    // one limit. On PostgreSQL a transaction that waits for a connection keeps the 2 s maxWait: a
    // burst that empties the pool is answered 503 (P2028) at once instead of replacing the pool.
    const work = client.$transaction(fn, this.dialect === 'sqlite' ? { maxWait: this.deadlineMs, timeout: this.deadlineMs } : { timeout: this.deadlineMs })
    // Past the deadline it may still fail, on the client disconnected under it: nobody waits for that.
    work.catch(() => {})
    try {
      return await Promise.race([work, deadline])
    } catch (err) {
      // A transaction queued behind one that broke the client waits for ever, or fails as the client
      // is disconnected under it: its honest reason is the one that broke it.
      const broke = this.broken.get(client)
      if (broke !== undefined && storageFailure(err)) {
        const waited = `${broke.message} (the database connection broke while this transaction waited)`
        throw broke instanceof StoreDiskFullError ? new StoreDiskFullError(waited, { cause: broke }) : new StoreDeadlineError(waited, { cause: broke })
      }
      // Judged before the replacement, whose checkpoint may give some room back.
      const reason = this.reason(err)
      // A replacement that fails (on a full disk a new connection may not open) is tried again by the
      // next transaction that fails; the caller is told why this one did.
      if (err instanceof StoreDeadlineError || wedges(err)) await this.replace(client, reason as Error).catch(() => {})
      throw reason
    } finally {
      clearTimeout(timer)
    }
  }

  private async replace (broken: PrismaClient, why: Error): Promise<void> {
    this.broken.set(broken, why)
    if (this.connect === undefined || this.prisma !== broken) return
    this.replacing ??= (async () => {
      try {
        this.prisma = await this.connect?.() ?? broken
        await disconnect(broken)
        // On a full disk the WAL is what grew: moving it into the database and truncating it gives
        // the space back for the writes that record the failure (best effort).
        if (this.dialect === 'sqlite') await this.prisma.$queryRawUnsafe('PRAGMA wal_checkpoint(TRUNCATE)').catch(() => {})
      } finally {
        this.replacing = undefined
      }
    })()
    await this.replacing
  }

  /** Disconnects the client in use; a call wedged in the driver cannot make this wait for ever. */
  async close (): Promise<void> {
    await disconnect(this.prisma)
  }

  /** The client in use (a replaced one after a transaction broke the previous). */
  get client (): PrismaClient {
    return this.prisma
  }
}

/** `client.$disconnect()`, given up on after DISCONNECT_MS: a wedged client may never end its work. */
async function disconnect (client: PrismaClient): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([client.$disconnect(), new Promise(resolve => { timer = setTimeout(resolve, DISCONNECT_MS) })])
  } finally {
    clearTimeout(timer)
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
