import { readFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'

/** The cores the operating system grants this process, and where each limit comes from. */
export interface CoreLimits {
  /** min(affinity CPUs, ⌊quota⌋), at least 1: what the default sweep, limits and efficiency use. */
  usableCores: number
  /** CPUs in this process's affinity mask (Cpus_allowed_list, else os.availableParallelism()). */
  affinityCpus: number
  /** The tightest cgroup CPU quota on the way to the root, in CPUs (quota ÷ period, e.g. 1.5); null: none. */
  cpuQuota: number | null
  /** Which cgroup version set `cpuQuota`; null when there is none. */
  cpuQuotaSource: 'cgroup v1' | 'cgroup v2' | null
}

function read (path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

/** The CPUs of a kernel CPU list such as `0-3,8,10-11` (cpuset(7) "List format"), ascending; undefined if malformed or empty. */
export function parseCpuList (list: string): number[] | undefined {
  const cpus = new Set<number>()
  for (const part of list.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim())
    if (m === null) return undefined
    const lo = Number(m[1])
    const hi = m[2] === undefined ? lo : Number(m[2])
    if (hi < lo || hi - lo > 65_536) return undefined
    for (let cpu = lo; cpu <= hi; cpu++) cpus.add(cpu)
  }
  return cpus.size > 0 ? [...cpus].sort((a, b) => a - b) : undefined
}

/** This process's affinity mask (`Cpus_allowed_list` of /proc/self/status under `rootDir`); undefined when not exposed. */
export function readAffinityCpus (rootDir = '/'): number[] | undefined {
  const listed = /^Cpus_allowed_list:\s*(\S+)/m.exec(read(join(rootDir, 'proc/self/status')) ?? '')?.[1]
  return listed === undefined ? undefined : parseCpuList(listed)
}

interface Mount { root: string, mountPoint: string, fsType: string, superOptions: string[] }

/** /proc/self/mountinfo (proc(5)): fields up to " - ", then the file system type, source and super options. */
function cgroupMounts (mountinfo: string): Mount[] {
  const out: Mount[] = []
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ')
    if (left === undefined || right === undefined) continue
    const f = left.split(' ')
    const [fsType, , superOptions = ''] = right.split(' ')
    if (fsType !== 'cgroup' && fsType !== 'cgroup2') continue
    out.push({ root: f[3] ?? '/', mountPoint: f[4] ?? '', fsType, superOptions: superOptions.split(',') })
  }
  return out
}

/**
 * The directories of this process's cgroup and of each ancestor up to the mount's root, nearest
 * first: a parent's quota caps its children too. `path` comes from /proc/self/cgroup and is relative
 * to the hierarchy's root; in a container the mount's own root is that path (or a prefix of it).
 */
function cgroupDirs (rootDir: string, mount: Mount, path: string): string[] {
  const rel = mount.root !== '/' && path.startsWith(mount.root) ? path.slice(mount.root.length) : path
  const parts = rel.split('/').filter(p => p !== '')
  const out: string[] = []
  for (let i = parts.length; i >= 0; i--) out.push(join(rootDir, mount.mountPoint, ...parts.slice(0, i)))
  return out
}

/** cgroup v2 `cpu.max`: "max 100000" (no limit) or "150000 100000" (quota period, µs). */
function quotaV2 (dir: string): number | undefined {
  const [quota, period] = (read(join(dir, 'cpu.max')) ?? '').trim().split(/\s+/)
  if (quota === undefined || quota === 'max' || period === undefined) return undefined
  const q = Number(quota)
  const p = Number(period)
  return q > 0 && p > 0 ? q / p : undefined
}

/** cgroup v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us`; a quota of -1 is no limit. */
function quotaV1 (dir: string): number | undefined {
  const q = Number((read(join(dir, 'cpu.cfs_quota_us')) ?? '').trim())
  const p = Number((read(join(dir, 'cpu.cfs_period_us')) ?? '').trim())
  return Number.isFinite(q) && Number.isFinite(p) && q > 0 && p > 0 ? q / p : undefined
}

/**
 * Reads the cgroup CPU quota that applies to this process: its own cgroup in each hierarchy that has
 * the `cpu` controller (v1) or in the unified hierarchy (v2), found through /proc/self/cgroup and
 * /proc/self/mountinfo, and the tightest of it and its ancestors.
 */
function cgroupQuota (rootDir: string): { cpus: number, source: 'cgroup v1' | 'cgroup v2' } | undefined {
  const mounts = cgroupMounts(read(join(rootDir, 'proc/self/mountinfo')) ?? '')
  let best: { cpus: number, source: 'cgroup v1' | 'cgroup v2' } | undefined
  for (const line of (read(join(rootDir, 'proc/self/cgroup')) ?? '').split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim())
    if (m === null) continue
    const [, hierarchy, controllers = '', path = '/'] = m
    const v2 = hierarchy === '0' && controllers === ''
    if (!v2 && !controllers.split(',').includes('cpu')) continue
    const mount = mounts.find(mt => v2 ? mt.fsType === 'cgroup2' : mt.fsType === 'cgroup' && mt.superOptions.includes('cpu'))
    if (mount === undefined) continue
    for (const dir of cgroupDirs(rootDir, mount, path)) {
      const cpus = v2 ? quotaV2(dir) : quotaV1(dir)
      if (cpus !== undefined && (best === undefined || cpus < best.cpus)) best = { cpus, source: v2 ? 'cgroup v2' : 'cgroup v1' }
    }
  }
  return best
}

/**
 * The cores this process may really use. Node 20's `os.availableParallelism()` (libuv 1.46) honours
 * the affinity mask but not a cgroup CPU quota (libuv added quotas in 1.49; libuv#4146, #4740), so
 * under `docker run --cpus=2` on a 64-core host it says 64. This reads both and takes the smallest;
 * a fractional quota counts as its floor (1.5 CPUs → 1 core: the half core is time-sliced, not a
 * core a worker can keep), never below 1. `rootDir` prefixes every path read, for fixture trees;
 * `fallbackCpus` is used when the root has no /proc/self/status affinity list.
 */
export function readCoreLimits (rootDir = '/', fallbackCpus = os.availableParallelism()): CoreLimits {
  const affinityCpus = readAffinityCpus(rootDir)?.length ?? fallbackCpus
  const quota = cgroupQuota(rootDir)
  const usableCores = Math.max(1, Math.min(affinityCpus, quota === undefined ? Infinity : Math.floor(quota.cpus)))
  return { usableCores, affinityCpus, cpuQuota: quota?.cpus ?? null, cpuQuotaSource: quota?.source ?? null }
}

let own: CoreLimits | undefined

/** This process's core limits, read once (a process's cgroup and affinity are set before it starts). */
export function coreLimits (): CoreLimits {
  own ??= readCoreLimits()
  return own
}

/** The host's usable cores for this process: the one number every sweep, limit and efficiency uses. */
export function usableCores (): number {
  return coreLimits().usableCores
}
