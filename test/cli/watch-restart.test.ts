import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { cli } from '../helpers/cli.js'
import { startServer } from '../helpers/server-process.js'

async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise(resolve => server.close(resolve))
  return port
}

test('submit --watch across a server restart: it says it is reconnecting, waits for the server, and ends with the job\'s real end', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'corebench-watch-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const env = { DATABASE_URL: `file:${join(dir, 'corebench.db')}`, PORT: String(await freePort()) }
  const spec = join(dir, 'spec.json')
  writeFileSync(spec, JSON.stringify({ workload: { id: 'sleep', params: { ms: 200 } }, tasks: 1, executors: ['serialized'], repetitions: 50, warmup: 0 }))

  const first = await startServer(t, env)
  const watching = cli(first.url, ['submit', spec, '--watch'])
  // Once runs are being stored the watcher has its snapshot; then the server dies (kill -9).
  for (;;) {
    // (A loaded machine may answer 503 now and then: poll on.)
    const jobs = await (await fetch(`${first.url}/api/jobs?status=running`)).json() as { items?: Array<{ id: string }> }
    const id = jobs.items?.[0]?.id
    if (id !== undefined && (((await (await fetch(`${first.url}/api/jobs/${id}`)).json()) as { runs?: unknown[] }).runs?.length ?? 0) >= 2) break
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  first.child.kill('SIGKILL')
  await first.exited
  // Down for a moment: its reconnects are refused and retried.
  await new Promise(resolve => setTimeout(resolve, 1500))
  await startServer(t, env)

  const run = await watching
  assert.match(run.out + run.err, /reconnecting in/)
  assert.doesNotMatch(run.err, /ECONNREFUSED.*\(ECONN|cannot reach/i)
  // Its runner, orphaned, ended the job as interrupted: that is what the watcher reports.
  assert.match(run.out + run.err, /interrupted/)
  assert.notEqual(run.code, 0)
})
