import type { PrismaClient } from '../client.js'
import type { ApiToken, TokenStore } from '../types.js'
import type { PrismaDb } from './db.js'

/** API tokens in SQLite. */
export class PrismaTokenStore implements TokenStore {
  constructor (private readonly db: PrismaDb) {}

  private get prisma (): PrismaClient {
    return this.db.client
  }

  async createToken (id: string, name: string, hash: string): Promise<ApiToken> {
    return await this.db.transaction(async tx => await tx.apiToken.create({ data: { id, name, hash } }))
  }

  async findToken (hash: string): Promise<ApiToken | undefined> {
    return await this.prisma.apiToken.findFirst({ where: { hash, revokedAt: null } }) ?? undefined
  }

  async listTokens (): Promise<ApiToken[]> {
    return await this.prisma.apiToken.findMany({ orderBy: { createdAt: 'asc' } })
  }

  async revokeToken (name: string): Promise<number> {
    const { count } = await this.db.transaction(async tx => await tx.apiToken.updateMany({ where: { name, revokedAt: null }, data: { revokedAt: new Date() } }))
    return count
  }

  async countActiveTokens (): Promise<number> {
    return await this.prisma.apiToken.count({ where: { revokedAt: null } })
  }
}
