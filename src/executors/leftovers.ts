import { readdirSync, readFileSync } from 'node:fs'
import { alive } from './scratch.js'

/**
 * Set in the environment of every process we start to run tasks (Node children, the Python
 * harness, the harness's pool children): the pid of the process that owns it. A process that
 * carries it while that owner is gone is a leftover of a previous life of corebench.
 */
export const PARENT_ENV = 'COREBENCH_PARENT_PID'

/**
 * Optional, inherited like any variable: a process reaps only leftovers started under the same
 * scope (unset matches unset). scripts/run-tests.mjs gives each test file its own, so that files run
 * side by side never reap the processes another file orphans on purpose.
 */
export const SCOPE_ENV = 'COREBENCH_LEFTOVER_SCOPE'

export interface Leftover {
  pid: number
  /** The owner named in its environment, no longer alive. */
  owner: number
  command: string
}

/**
 * Task processes whose owner has died (Linux /proc; elsewhere none are found). Children watch
 * their parent and exit within a second of its death, so what this finds is older, or stuck.
 */
export function findLeftovers (): Leftover[] {
  if (process.platform !== 'linux') return []
  const found: Leftover[] = []
  const marker = `${PARENT_ENV}=`
  const scope = process.env[SCOPE_ENV] ?? ''
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue
    try {
      const env = readFileSync(`/proc/${name}/environ`, 'latin1')
      const at = env.indexOf(marker)
      if (at < 0 || (at > 0 && env[at - 1] !== '\0')) continue
      const owner = Number.parseInt(env.slice(at + marker.length), 10)
      if (alive(owner) || envValue(env, SCOPE_ENV) !== scope || !isRunning(Number(name))) continue
      found.push({ pid: Number(name), owner, command: readFileSync(`/proc/${name}/cmdline`, 'latin1').split('\0').join(' ').trim().slice(0, 200) })
    } catch { /* gone meanwhile, or not ours to read */ }
  }
  return found
}

/**
 * SIGKILLs every leftover and waits (up to `waitMs`) until they are gone, so that nothing of a
 * previous life shares the cores with the next measurement. Returns what it found.
 */
export async function reapLeftovers (waitMs = 2000): Promise<Leftover[]> {
  const found = findLeftovers()
  for (const l of found) {
    try { process.kill(l.pid, 'SIGKILL') } catch { /* already gone */ }
  }
  const deadline = performance.now() + waitMs
  while (found.some(l => isRunning(l.pid)) && performance.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
  return found
}

/** One line for the log and the job's warnings. */
export function describeLeftovers (found: readonly Leftover[]): string {
  const pids = found.map(l => `${l.pid} (owner ${l.owner})`).join(', ')
  return `${found.length} task process(es) left behind by a corebench process that died were still running and were killed before this job was measured: ${pids}`
}

/** The value of `key` in a NUL-separated /proc environ ('' when absent). */
function envValue (environ: string, key: string): string {
  const entry = environ.split('\0').find(e => e.startsWith(`${key}=`))
  return entry === undefined ? '' : entry.slice(key.length + 1)
}

/** Alive and not a zombie (a zombie burns nothing; PID 1 may never reap it). */
function isRunning (pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}
