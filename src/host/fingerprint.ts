import { createHash } from 'node:crypto'
import os from 'node:os'
import { version } from '../version.js'

export interface HostFingerprint {
  id: string
  hostname: string
  cpuModel: string
  logicalCores: number
  availableParallelism: number
  totalMemoryMb: number
  platform: string
  arch: string
  release: string
  nodeVersion: string
  corebenchVersion: string
}

/**
 * What identifies the machine a job ran on. The id is a hash of every field, so an upgrade of Node
 * or corebench, or a resized VM, counts as a new host: its numbers are not comparable one-to-one.
 */
export function hostFingerprint (): HostFingerprint {
  const cpus = os.cpus()
  const fields = {
    hostname: os.hostname(),
    cpuModel: (cpus[0]?.model ?? 'unknown').trim(),
    logicalCores: cpus.length,
    availableParallelism: os.availableParallelism(),
    totalMemoryMb: Math.round(os.totalmem() / 2 ** 20),
    platform: os.platform(),
    arch: os.arch(),
    release: os.release(),
    nodeVersion: process.version,
    corebenchVersion: version
  }
  const canonical = JSON.stringify(Object.keys(fields).sort().map(k => [k, fields[k as keyof typeof fields]]))
  const id = createHash('sha256').update(canonical).digest('hex').slice(0, 16)
  return { id, ...fields }
}
