// better-sqlite3 ships no types (and @types/better-sqlite3 is not a dependency); only what
// bench/list.ts and test/api/job-filters.test.ts use.
declare module 'better-sqlite3' {
  interface Statement { run: (...params: unknown[]) => unknown, get: (...params: unknown[]) => unknown, all: (...params: unknown[]) => unknown[] }
  class Database {
    constructor (file: string)
    pragma (source: string): unknown
    exec (sql: string): this
    prepare (sql: string): Statement
    transaction<F extends (...args: any[]) => unknown> (fn: F): F
    close (): void
  }
  export default Database
}
