import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import type { TestContext } from 'node:test'
import { entryArgs } from './entry.js'

export interface ServerProcess {
  child: ChildProcess
  url: string
  /** Everything the process printed so far. */
  output: () => string
  exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
}

export interface StartOptions {
  /** Extra node options before the entry (e.g. `--import` of a preload shim). */
  nodeArgs?: string[]
  /** Run under `ulimit -n` of this many descriptors (through sh). */
  maxFiles?: number
  /** A command the server runs under, e.g. `['taskset', '-c', '0']`; it must exec its arguments. */
  prefix?: string[]
}

/** Starts the server (see entry.ts: dist/ when built from these sources, else tsx) as a real process on a free port and resolves once it listens. */
export async function startServer (t: TestContext, env: Record<string, string>, opts: StartOptions = {}): Promise<ServerProcess> {
  const args = [...opts.nodeArgs ?? [], ...entryArgs('server')]
  // exec: the shell is replaced by node, so signals and the exit code are the server's own.
  const [cmd0, argv0] = opts.maxFiles === undefined
    ? [process.execPath, args]
    : ['/bin/sh', ['-c', `ulimit -n ${opts.maxFiles} && exec "$0" "$@"`, process.execPath, ...args]]
  const [cmd, ...argv] = [...opts.prefix ?? [], cmd0, ...argv0]
  const child = spawn(cmd as string, argv, {
    // REDO_DISTURBED=0 as in build(): on a loaded test machine redos would change what tests count.
    // MAX_EVENT_LOOP_DELAY_MS as in build(): load shedding is tested on its own, and a server that
    // shares 2 cores with another test file must not answer a test's request with 503.
    env: { ...process.env, PORT: '0', REDO_DISTURBED: '0', MAX_EVENT_LOOP_DELAY_MS: '60000', ...env, LOG_LEVEL: 'info' }, // the helper waits for the info-level "listening" line
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }))
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited
  })
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      out += d.toString()
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (m !== null) resolve(m[1] as string)
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', (d: Buffer) => { out += d.toString() })
    void exited.then(({ code }) => reject(new Error(`server exited with ${code} before listening:\n${out}`)))
  })
  return { child, url, output: () => out, exited }
}
