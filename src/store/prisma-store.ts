import type { HostFingerprint } from '../host/fingerprint.js'
import type { PrismaClient } from './client.js'
import type { Store } from './types.js'

export class PrismaStore implements Store {
  constructor (private readonly prisma: PrismaClient) {}

  async ping (): Promise<void> {
    await this.prisma.$queryRawUnsafe('SELECT 1')
  }

  async upsertHost (host: HostFingerprint): Promise<void> {
    const { id, ...fields } = host
    await this.prisma.host.upsert({
      where: { id },
      create: { id, ...fields },
      update: { lastSeenAt: new Date() }
    })
  }

  async countHosts (): Promise<number> {
    return await this.prisma.host.count()
  }

  async close (): Promise<void> {
    await this.prisma.$disconnect()
  }
}
