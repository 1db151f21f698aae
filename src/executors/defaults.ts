import { mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ExecutorOptions } from './types.js'

/** Fills option defaults and makes sure the task temp directory exists. */
export function prepareOptions (opts: ExecutorOptions): Required<ExecutorOptions> {
  const full = {
    maxOldGenerationSizeMb: opts.maxOldGenerationSizeMb ?? 1024,
    maxTasks: opts.maxTasks ?? 10_000,
    tmpDir: opts.tmpDir ?? join(tmpdir(), 'corebench-tasks')
  }
  mkdirSync(full.tmpDir, { recursive: true })
  return full
}
