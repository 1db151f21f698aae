import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3'
import { defineConfig } from 'prisma/config'

// Prisma 6.19's JS schema engine through the driver adapter: the native engines cannot be
// downloaded on these machines (see STACK.md). The CLI only runs `generate` and `migrate deploy`.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () => new PrismaBetterSQLite3({ url: process.env.DATABASE_URL ?? 'file:./data/corebench.db' })
})
