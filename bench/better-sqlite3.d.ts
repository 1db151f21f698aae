// better-sqlite3 ships no types (and @types/better-sqlite3 is not a dependency); only what bench/list.ts uses.
declare module 'better-sqlite3' {
  interface Statement { run: (...params: unknown[]) => unknown, get: (...params: unknown[]) => unknown }
  class Database {
    constructor (file: string)
    pragma (source: string): unknown
    prepare (sql: string): Statement
    transaction<F extends (...args: any[]) => unknown> (fn: F): F
    close (): void
  }
  export default Database
}
