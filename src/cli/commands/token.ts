import { existsSync } from 'node:fs'
import type { Command } from 'commander'
import { createToken } from '../../auth/manage.js'
import { loadConfig } from '../../config.js'
import { createPrismaClient } from '../../store/client.js'
import { migrate, sqlitePath } from '../../store/migrate.js'
import { createPrismaStore } from '../../store/prisma-store.js'
import type { Store } from '../../store/types.js'
import type { Context } from '../context.js'
import { table } from '../format.js'
import { CliError, writeLine } from '../io.js'

/**
 * Tokens are managed on the server's machine, against its database, not over the API: the first
 * token cannot require a token, and a secret never needs to cross the network.
 */
async function withStore<T> (ctx: Context, databaseUrl: string | undefined, fn: (store: Store) => Promise<T>): Promise<T> {
  const url = databaseUrl ?? loadConfig({ DATABASE_URL: ctx.io.env.DATABASE_URL }).DATABASE_URL
  // A running server already migrated its database (and migrating under it can fail on its lock);
  // a brand-new one is created so that the first token can exist before the first start.
  if (!existsSync(sqlitePath(url))) await migrate(url)
  const store = createPrismaStore(await createPrismaClient(url))
  try {
    return await fn(store)
  } finally {
    await store.close()
  }
}

export function tokenCommand (program: Command, ctx: Context): void {
  const token = program.command('token').description('manage API tokens in the server\'s database (run on the server\'s machine)')
  const db = '--database-url <url>'
  const dbHelp = 'DATABASE_URL of the server (default: $DATABASE_URL, else file:./data/corebench.db)'

  token.command('create <name>')
    .description('create a token and print it once (only its SHA-256 is stored)')
    .option(db, dbHelp)
    .action(async (name: string, opts: { databaseUrl?: string }) => {
      const created = await withStore(ctx, opts.databaseUrl, async (store) => {
        try {
          return await createToken(store, name)
        } catch (err) {
          throw new CliError((err as Error).message, 'EUSAGE')
        }
      })
      writeLine(ctx.io.stdout, created.token)
      writeLine(ctx.io.stderr, `token "${name}" created (${created.record.id}); it is shown this once. Use it as COREBENCH_TOKEN or Authorization: Bearer …`)
    })

  token.command('list')
    .description('list tokens by name (never their secrets)')
    .option(db, dbHelp)
    .action(async (opts: { databaseUrl?: string }) => {
      const rows = await withStore(ctx, opts.databaseUrl, async store => await store.listTokens())
      ctx.io.stdout.write(table(rows, [
        { header: 'name', value: r => r.name },
        { header: 'id', value: r => r.id },
        { header: 'created', value: r => r.createdAt.toISOString() },
        { header: 'status', value: r => r.revokedAt === null ? 'active' : `revoked ${r.revokedAt.toISOString()}` }
      ]))
    })

  token.command('revoke <name>')
    .description('revoke every active token with this name')
    .option(db, dbHelp)
    .action(async (name: string, opts: { databaseUrl?: string }) => {
      const n = await withStore(ctx, opts.databaseUrl, async store => await store.revokeToken(name))
      if (n === 0) throw new CliError(`no active token named "${name}"`, 'ENOTFOUND')
      writeLine(ctx.io.stdout, `revoked ${n} token(s) named "${name}"`)
    })
}
