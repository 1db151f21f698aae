import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import { main } from '../../src/cli/index.js'
import { build } from './app.js'

/** The app on an ephemeral port, plus every request's method, url and authorization header. */
export async function listening (t: TestContext, env: Record<string, string> = {}, opts: { databaseUrl?: string } = {}) {
  const built = await build(t, env, { ready: false, ...opts })
  const seen: Array<{ method: string, url: string, authorization: string | undefined }> = []
  built.app.addHook('onRequest', async (req) => { seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization }) })
  await built.app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = built.app.server.address() as { port: number }
  return { ...built, url: `http://127.0.0.1:${port}`, seen }
}

export interface Run { code: number, out: string, err: string }

/** main() in-process with captured output; `tty` makes stdout look like a terminal (progress bars). */
export async function cli (url: string, args: string[], opts: { env?: Record<string, string>, tty?: boolean } = {}): Promise<Run> {
  let out = ''
  let err = ''
  const code = await main(args, {
    stdout: { write: (s: string) => { out += s }, isTTY: opts.tty === true, columns: 120 },
    stderr: { write: (s: string) => { err += s } },
    env: { COREBENCH_URL: url, ...opts.env }
  })
  return { code, out, err }
}

/** stderr holds exactly one line, matching `re`. */
export function oneLine (err: string, re: RegExp): void {
  const lines = err.split('\n').filter(l => l !== '')
  assert.equal(lines.length, 1, `one line on stderr, got:\n${err}`)
  assert.match(lines[0] as string, re)
}
