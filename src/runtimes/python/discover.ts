import { execFile } from 'node:child_process'
import { harnessMissing } from './plan.js'

/** `python` where the interpreter runs with a GIL, `python-nogil` where it really runs without one. */
export type PythonRuntimeId = 'python' | 'python-nogil'

export interface PythonInterpreter {
  runtime: PythonRuntimeId
  /** What to pass as PythonForkPlan.command. */
  command: string
  /** sys.executable: the interpreter the command resolved to. */
  executable: string
  version: string
  implementation: string
  /** Whether the GIL is enabled in this process (`sys._is_gil_enabled()`; true before 3.13). */
  gil: boolean
  /** Built with --disable-gil (Py_GIL_DISABLED); such a build can still turn the GIL on (PYTHON_GIL=1). */
  freeThreadedBuild: boolean
}

export interface PythonDiscovery {
  interpreters: PythonInterpreter[]
  /** One human-readable reason per command that gave no usable interpreter. */
  unavailable: Array<{ command: string, reason: string }>
}

export interface DiscoverOptions {
  /** The configured interpreter; default `python3`. */
  command?: string
  /** Also probed, when on PATH: free-threaded builds. */
  alsoTry?: readonly string[]
  /** Per probe; default 5000 ms (a pyenv shim alone can take a few hundred). */
  timeoutMs?: number
}

export const FREE_THREADED_COMMANDS = ['python3.13t', 'python3.14t'] as const
/** The harness uses nothing newer (no asyncio.to_thread, no match statements). */
export const MIN_PYTHON: readonly [number, number] = [3, 8]

// The reply is one JSON line; a command that is not a Python prints something else, or nothing.
const PROBE = [
  'import json, platform, sys, sysconfig',
  'f = getattr(sys, "_is_gil_enabled", None)',
  'print(json.dumps({"corebenchProbe": 1, "version": platform.python_version(), "versionInfo": list(sys.version_info[:2]),',
  '  "implementation": platform.python_implementation(), "executable": sys.executable,',
  '  "gil": True if f is None else bool(f()), "freeThreaded": bool(sysconfig.get_config_var("Py_GIL_DISABLED"))}))'
].join('\n')

interface ProbeReply {
  corebenchProbe: 1
  version: string
  versionInfo: [number, number]
  implementation: string
  executable: string
  gil: boolean
  freeThreaded: boolean
}

/**
 * Finds the Python interpreters this host can run the harness with. Never throws: a command that is
 * missing, hangs, is too old or is not a Python ends up in `unavailable` with the reason.
 */
export async function discoverPython (opts: DiscoverOptions = {}): Promise<PythonDiscovery> {
  const commands = [...new Set([opts.command ?? 'python3', ...(opts.alsoTry ?? FREE_THREADED_COMMANDS)])]
  const out: PythonDiscovery = { interpreters: [], unavailable: [] }
  const missing = harnessMissing()
  if (missing !== undefined) {
    out.unavailable.push(...commands.map(command => ({ command, reason: missing })))
    return out
  }
  const probed = await Promise.all(commands.map(async command => ({ command, result: await probe(command, opts.timeoutMs ?? 5000) })))
  const seen = new Set<string>()
  for (const { command, result } of probed) {
    if (typeof result === 'string') {
      out.unavailable.push({ command, reason: result })
    } else if (!seen.has(result.executable)) {
      seen.add(result.executable)
      out.interpreters.push(result)
    }
  }
  return out
}

async function probe (command: string, timeoutMs: number): Promise<PythonInterpreter | string> {
  return await new Promise(resolve => {
    execFile(command, ['-S', '-c', PROBE], { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 }, (err, stdout, stderr) => {
      if (err !== null) {
        const e = err as NodeJS.ErrnoException & { killed?: boolean, code?: string | number }
        if (e.code === 'ENOENT') resolve(`${command}: not found`)
        else if (e.code === 'EACCES') resolve(`${command}: not executable`)
        else if (e.killed === true) resolve(`${command}: did not answer the version probe within ${timeoutMs} ms`)
        else resolve(`${command}: the version probe failed (${typeof e.code === 'number' ? `exit code ${e.code}` : e.message.split('\n')[0]})${stderr.trim() !== '' ? `: ${stderr.trim().slice(-300)}` : ''}`)
        return
      }
      let reply: ProbeReply
      try {
        reply = JSON.parse(stdout.trim().split('\n').pop() ?? '') as ProbeReply
        if (reply.corebenchProbe !== 1) throw new Error('not the probe reply')
      } catch {
        resolve(`${command}: does not look like a Python interpreter (its answer to the version probe was ${JSON.stringify(stdout.slice(0, 120))})`)
        return
      }
      const [major, minor] = reply.versionInfo
      if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
        resolve(`${command}: Python ${reply.version} is older than the ${MIN_PYTHON.join('.')} the harness needs`)
        return
      }
      resolve({
        runtime: reply.gil ? 'python' : 'python-nogil',
        command,
        executable: reply.executable,
        version: reply.version,
        implementation: reply.implementation,
        gil: reply.gil,
        freeThreadedBuild: reply.freeThreaded
      })
    })
  })
}
