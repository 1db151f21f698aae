import { PrismaPg } from '@prisma/adapter-pg'
import { defineConfig } from 'prisma/config'

// The PostgreSQL twin of ../../prisma.config.ts. The CLI only runs `generate` and `migrate diff`
// against it: migrations are applied by src/store/pg-migrate.ts (Prisma 6.19's `migrate deploy`
// through the pg adapter fails on a fresh database, see STACK.md).
export default defineConfig({
  schema: 'schema.prisma',
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () => new PrismaPg({ connectionString: process.env.DATABASE_URL ?? 'postgresql://localhost/corebench' })
})
