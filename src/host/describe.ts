// No imports: the dashboard bundles this file too.

/** What of the machine's CPU layout changes results on big machines (all from sysfs and procfs; null: not exposed). */
export interface CpuTopology {
  /** Distinct (package, core) pairs of the online CPUs: cores that do not share execution units. */
  physicalCores: number | null
  /**
   * Physical cores with at least one CPU in this process's affinity mask: `taskset -c 0,1` on two SMT
   * siblings grants 2 CPUs but 1 core. Equals physicalCores when the mask is not exposed.
   */
  usablePhysicalCores: number | null
  /** NUMA nodes (/sys/devices/system/node/node*). */
  numaNodes: number | null
  /** The cpufreq scaling governor(s), e.g. "performance", "powersave"; several joined by ","; null without cpufreq. */
  cpuGovernor: string | null
  /** true when /proc/cpuinfo has the `hypervisor` flag (set by the CPU under every common hypervisor). */
  virtualMachine: boolean
  /** /sys/class/dmi/id/sys_vendor, e.g. "QEMU", "Amazon EC2", "Microsoft Corporation"; null when absent. */
  systemVendor: string | null
}

/** The fields of a host that say how many cores a job really had (a fingerprint or GET /api/host). */
export type HostCores = CpuTopology & { logicalCores: number, usableCores: number, cpuQuota: number | null }

/**
 * One line for people: the usable cores and what bounds them, physical vs logical, NUMA, governor, VM.
 * e.g. "1 usable core (cgroup quota 1.5 CPUs) · 2 physical cores, 4 logical CPUs (SMT) · 1 NUMA node · governor performance · VM (QEMU)"
 */
export function hostCoresText (h: HostCores): string {
  const n = (v: number, one: string): string => `${v} ${one}${v === 1 ? '' : 's'}`
  const siblings = h.usablePhysicalCores !== null && h.usablePhysicalCores < h.usableCores ? `, on ${n(h.usablePhysicalCores, 'physical core')}` : ''
  const bound = h.cpuQuota !== null ? ` (cgroup quota ${h.cpuQuota} CPUs)` : h.usableCores < h.logicalCores ? ` (CPU affinity${siblings})` : ''
  const parts = [`${n(h.usableCores, 'usable core')}${bound}`]
  parts.push(h.physicalCores === null
    ? n(h.logicalCores, 'logical CPU')
    : `${n(h.physicalCores, 'physical core')}, ${n(h.logicalCores, 'logical CPU')}${h.logicalCores > h.physicalCores ? ' (SMT)' : ''}`)
  if (h.numaNodes !== null) parts.push(n(h.numaNodes, 'NUMA node'))
  parts.push(`governor ${h.cpuGovernor ?? '–'}`)
  parts.push(h.virtualMachine ? `VM${h.systemVendor === null ? '' : ` (${h.systemVendor})`}` : `bare metal${h.systemVendor === null ? '' : ` (${h.systemVendor})`}`)
  return parts.join(' · ')
}
