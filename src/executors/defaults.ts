import { mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ExecutorOptions } from './types.js'

/**
 * Longest an idle worker thread or child may take to answer a control message (a ping, stats, the
 * canary; at start-up after loading the workload). Past it the pool is not reused.
 */
export const ANSWER_MS = 60_000

/** Executor options with every default filled in (the workload to preload, and its module, stay optional). */
export type PreparedOptions = Required<Omit<ExecutorOptions, 'workload' | 'workloadModule'>> & Pick<ExecutorOptions, 'workload' | 'workloadModule'>

/** Fills option defaults and makes sure the task temp directory exists. */
export function prepareOptions (opts: ExecutorOptions): PreparedOptions {
  const full = {
    maxOldGenerationSizeMb: opts.maxOldGenerationSizeMb ?? 1024,
    maxTasks: opts.maxTasks ?? 10_000,
    tmpDir: opts.tmpDir ?? join(tmpdir(), 'corebench-tasks'),
    workload: opts.workload,
    workloadModule: opts.workloadModule
  }
  mkdirSync(full.tmpDir, { recursive: true })
  return full
}
