// The CLI in-process against a real app on an ephemeral port (for the test files added beside cli.test.ts).
import type { TestContext } from 'node:test'
import { main } from '../../src/cli/index.js'
import { build } from '../helpers/app.js'

export async function listening (t: TestContext) {
  const built = await build(t, {}, { ready: false })
  await built.app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = built.app.server.address() as { port: number }
  return { ...built, url: `http://127.0.0.1:${port}` }
}

export interface Run { code: number, out: string, err: string }

/** main() in-process with captured output. */
export async function cli (url: string, args: string[]): Promise<Run> {
  let out = ''
  let err = ''
  const code = await main(args, {
    stdout: { write: (s: string) => { out += s }, isTTY: false, columns: 120 },
    stderr: { write: (s: string) => { err += s } },
    env: { COREBENCH_URL: url }
  })
  return { code, out, err }
}
