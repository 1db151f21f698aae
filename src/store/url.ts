/** Which database a DATABASE_URL names: `file:` is SQLite (the embedded default), `postgres(ql)://` PostgreSQL. */
export type Dialect = 'sqlite' | 'postgres'

export function dialectOf (url: string): Dialect {
  return /^postgres(ql)?:\/\//.test(url) ? 'postgres' : 'sqlite'
}
