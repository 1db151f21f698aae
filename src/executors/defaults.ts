import { mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ExecutorOptions } from './types.js'

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
