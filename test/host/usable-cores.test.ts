import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { startServer, type ServerProcess } from '../helpers/server-process.js'

// Real processes: the server and its runner child are started under a core limit set by the
// operating system, and must report it in /api/host, use it for the default sweep, and summarize
// the job's efficiency against it.

async function api (s: ServerProcess, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${s.url}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return await res.json()
}

async function finished (s: ServerProcess, id: string): Promise<any> {
  const deadline = Date.now() + 60_000
  for (;;) {
    const job = await api(s, `/api/jobs/${id}`)
    if (!['queued', 'running'].includes(job.status)) return job
    if (Date.now() > deadline) assert.fail(`job ${id} stuck in ${job.status}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

function database (t: TestContext): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'corebench-cores-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return { DATABASE_URL: `file:${join(dir, 'corebench.db')}` }
}

/** A default-sweep job (no workers given) runs on the server's runner; returns /api/host and the job. */
async function hostAndDefaultSweep (s: ServerProcess): Promise<{ host: any, job: any }> {
  const host = await api(s, '/api/host')
  const submitted = await api(s, '/api/jobs', { workload: { id: 'fibonacci', params: { n: 15 } }, tasks: 4, executors: ['serialized', 'threaded'], repetitions: 1, warmup: 0 })
  return { host, job: await finished(s, submitted.id) }
}

const taskset = spawnSync('taskset', ['--version']).status === 0

test('a server started under `taskset -c 0` has 1 usable core: in /api/host, the default sweep and the summary', { skip: taskset ? false : 'taskset (util-linux) is not installed' }, async (t) => {
  const s = await startServer(t, database(t), { prefix: ['taskset', '-c', '0'] })
  const { host, job } = await hostAndDefaultSweep(s)
  assert.equal(host.usableCores, 1, JSON.stringify(host))
  assert.equal(host.cpuQuota, null)
  assert.deepEqual(job.spec.workers, [1], 'the default sweep goes up to the usable cores')
  assert.equal(job.status, 'finished', job.error)
  assert.equal(job.summary.cores, 1, 'efficiency is measured against the cores the runner had')
})

const cpuController = '/sys/fs/cgroup/cpu'
const v1 = existsSync(join(cpuController, 'cpu.cfs_quota_us')) && process.getuid?.() === 0

test('a server inside a cgroup v1 CPU quota of one CPU has 1 usable core and shows the quota', { skip: v1 ? false : `no writable cgroup v1 cpu controller at ${cpuController} (or not root)` }, async (t) => {
  const group = join(cpuController, `corebench-test-${process.pid}`)
  mkdirSync(group)
  t.after(async () => {
    // The group can be removed only once empty: its server (and runner) must be gone first.
    for (const pid of readFileSync(join(group, 'cgroup.procs'), 'utf8').split('\n').filter(p => p !== '')) {
      try { process.kill(Number(pid), 'SIGKILL') } catch {}
    }
    for (let i = 0; i < 100 && readFileSync(join(group, 'cgroup.procs'), 'utf8').trim() !== ''; i++) await new Promise(resolve => setTimeout(resolve, 50))
    rmdirSync(group)
  })
  writeFileSync(join(group, 'cpu.cfs_period_us'), '100000')
  writeFileSync(join(group, 'cpu.cfs_quota_us'), '100000')
  // The shell joins the group, then becomes the server: every process it starts stays inside.
  const s = await startServer(t, database(t), { prefix: ['/bin/sh', '-c', `echo $$ > ${join(group, 'cgroup.procs')} && exec "$0" "$@"`] })
  const { host, job } = await hostAndDefaultSweep(s)
  assert.equal(host.usableCores, 1, JSON.stringify(host))
  assert.equal(host.cpuQuota, 1)
  assert.deepEqual(job.spec.workers, [1])
  assert.equal(job.status, 'finished', job.error)
  assert.equal(job.summary.cores, 1)
})
