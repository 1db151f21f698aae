import { Worker } from 'node:worker_threads'

/** How often the watch looks at the parent: a child outlives a SIGKILLed parent by at most this (plus a scheduler tick). */
export const PARENT_POLL_MS = 100

// Plain CommonJS for an eval worker: no module loader (and no tsx) to start, ~1 MB of heap.
const WATCH = `const { workerData } = require('node:worker_threads')
setInterval(() => { if (process.ppid !== workerData) process.kill(process.pid, 'SIGKILL') }, ${PARENT_POLL_MS})`

/**
 * Makes this process SIGKILL itself within PARENT_POLL_MS of its parent's death, even while its
 * main thread is busy in a synchronous task: IPC 'disconnect' (and any timer) would wait for that
 * task to end. A small thread of its own compares `process.ppid` with the parent this process had
 * at start (a dead parent's children are re-parented, so the pid changes; a reused pid cannot fool
 * it). Node has no PR_SET_PDEATHSIG; this is the portable equivalent. The thread is unref'd.
 */
export function exitWithParent (): void {
  const watch = new Worker(WATCH, { eval: true, workerData: process.ppid, execArgv: [] })
  watch.unref()
}
