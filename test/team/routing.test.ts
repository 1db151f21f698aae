import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startCluster, type TestCluster } from '../helpers/postgres.js'
import { startServer } from '../helpers/server-process.js'
import { api, FINAL, LEASES, spawnRunner, until } from '../helpers/team.js'

// Routing (runOn) with real processes on a real PostgreSQL: one API (RUNNER=off) and two runners on
// this machine, told apart by test-only machine identities, labels and, for one, a test-only
// fingerprint (RUNNER_TEST_HARDWARE=arm64:64) so that "arm64, 64 cores" can be routed to on x86.
// Where jobs ran and which waited is asserted, never speed.

let cluster: TestCluster
const afters: Array<() => unknown> = []
before(async () => { cluster = await startCluster({ after: (fn: () => unknown) => { afters.push(fn) } }) })
after(async () => { for (const fn of afters.reverse()) await fn() })

/** Waits until one of the runners logs that a pg-boss delivery of this job reached it (claimed, or found taken). */
async function deliveryReached (runners: Array<{ output: () => string }>, jobId: string): Promise<void> {
  const seen = new RegExp(`"jobId":"${jobId}".*(claimed a delivered job|no longer claimable here)`)
  const output = (): string => runners.map(r => r.output()).join('\n')
  for (const deadline = Date.now() + 30_000; !seen.test(output()) && Date.now() < deadline;) await new Promise(resolve => setTimeout(resolve, 100))
  assert.match(output(), seen, `a delivery of ${jobId} reached a runner`)
}

const tiny = { workload: { id: 'fibonacci', params: { n: 12 } }, tasks: 4, executors: ['serialized'], repetitions: 1, warmup: 0 }

test('jobs with runOn land on the runner that matches; a job for a named runner waits while that runner is offline', async (t) => {
  const db = await cluster.database(t)
  const server = await startServer(t, { DATABASE_URL: db, RUNNER: 'off', ...LEASES })
  // A poll far apart: jobs reach the runners through pg-boss deliveries (src/jobs/pg-delivery.ts).
  const slowPoll = { RUNNER_POLL_MS: '600000' }
  const arm = { ...slowPoll, DATABASE_URL: db, RUNNER_NAME: 'arm', RUNNER_MACHINE_ID: 'routing-m1', RUNNER_LABELS: 'lab-2', RUNNER_TEST_HARDWARE: 'arm64:64' }
  const x86 = { ...slowPoll, DATABASE_URL: db, RUNNER_NAME: 'x86', RUNNER_MACHINE_ID: 'routing-m2', RUNNER_LABELS: 'lab-1' }
  const [armRunner, x86Runner] = await Promise.all([spawnRunner(t, arm), spawnRunner(t, x86)])
  const listed = await api(server.url, '/api/runners')
  assert.deepEqual(listed.map((r: any) => `${r.name}:${r.host.arch}:${r.host.usableCores}:${r.labels.join('+')}`).sort(), ['arm:arm64:64:lab-2', `x86:${process.arch}:${listed.find((r: any) => r.name === 'x86').host.usableCores}:lab-1`])

  const submit = async (runOn: object): Promise<any> => await api(server.url, '/api/jobs', { method: 'POST', body: JSON.stringify({ ...tiny, runOn }) })
  const wanted: Array<[object, string]> = [
    [{ arch: 'arm64' }, 'arm'], [{ labels: ['lab-1'] }, 'x86'], [{ minCores: 64 }, 'arm'],
    [{ runner: 'x86' }, 'x86'], [{ runner: 'arm' }, 'arm'], [{ labels: ['lab-2'], arch: 'arm64' }, 'arm']
  ]
  const jobs = await Promise.all(wanted.map(async ([runOn]) => await submit(runOn)))
  const ends = await Promise.all(jobs.map(async j => await until(server.url, j.id, job => FINAL.includes(job.status))))
    .catch((err: Error) => { throw new Error(`${err.message}\nrunners said:\n${[armRunner, x86Runner].map(r => r.output().slice(-2000)).join('\n---\n')}`) })
  assert.deepEqual(ends.map(j => `${j.status}@${j.runner}`), wanted.map(([, runner]) => `finished@${runner}`))
  const delivered = (r: { output: () => string }): number => r.output().split('\n').filter(l => l.includes('claimed a delivered job')).length
  assert.equal(delivered(armRunner) + delivered(x86Runner), jobs.length, 'every job was claimed through its pg-boss delivery')
  const hosts = new Map<string, string>(listed.map((r: any) => [r.name, r.host.id]))
  assert.deepEqual(ends.map(j => j.hostId), wanted.map(([, runner]) => hosts.get(runner)), 'each job records the host (fingerprint) of the runner that ran it')

  // The arm runner goes away cleanly: a job for it by name waits (and says so); x86 does not take it.
  armRunner.child.kill('SIGTERM')
  await armRunner.exited
  const waiting = await submit({ runner: 'arm' })
  assert.match(waiting.warnings.join('\n'), /every runner that can run this job is offline \(arm since /)
  const other = await submit({ labels: ['lab-1'] })
  assert.equal((await until(server.url, other.id, job => FINAL.includes(job.status))).runner, 'x86', 'x86 kept working meanwhile')
  assert.equal((await api(server.url, `/api/jobs/${waiting.id}`)).status, 'queued', 'x86 polled past the job for arm and left it queued')

  // Back online, the arm runner takes the job that waited for it.
  const again = await spawnRunner(t, arm)
  const done = await until(server.url, waiting.id, job => FINAL.includes(job.status))
    .catch((err: Error) => { throw new Error(`${err.message}\n${again.output().slice(-2000)}`) })
  assert.equal(`${done.status}@${done.runner}`, 'finished@arm')
  // At start a runner claims its backlog itself (the poll's first round); the delivery then finds the row taken.
  await deliveryReached([again], waiting.id)
})

test('kill -9 of a runner mid-job with REQUEUE_INTERRUPTED: the re-queued job is delivered again and runs on the other runner of its class', async (t) => {
  const db = await cluster.database(t)
  const server = await startServer(t, { DATABASE_URL: db, RUNNER: 'off', REQUEUE_INTERRUPTED: 'true', ...LEASES })
  const env = { DATABASE_URL: db, RUNNER_POLL_MS: '600000', RUNNER_LABELS: 'lab-3' }
  const first = await spawnRunner(t, { ...env, RUNNER_NAME: 'first', RUNNER_MACHINE_ID: 'routing-m3' })
  const job = await api(server.url, '/api/jobs', { method: 'POST', body: JSON.stringify({ workload: { id: 'sleep', params: { ms: 20_000 } }, tasks: 1, executors: ['serialized'], repetitions: 1, warmup: 0, runOn: { labels: ['lab-3'] } }) })
  await until(server.url, job.id, j => j.status === 'running' && j.runner === 'first')
  first.child.kill('SIGKILL')
  await first.exited
  const again = await until(server.url, job.id, j => j.status === 'queued')
  assert.match(again.error ?? '', /re-queued/)
  // The same class (same hardware and labels), another machine identity: it works the class's queue.
  const second = await spawnRunner(t, { ...env, RUNNER_NAME: 'second', RUNNER_MACHINE_ID: 'routing-m4' })
  const running = await until(server.url, job.id, j => j.status === 'running')
  assert.equal(running.runner, 'second')
  // While `second` is busy, a new job of the class goes to its idle peer: a busy runner fetches no delivery.
  const third = await spawnRunner(t, { ...env, RUNNER_NAME: 'third', RUNNER_MACHINE_ID: 'routing-m5' })
  const next = await api(server.url, '/api/jobs', { method: 'POST', body: JSON.stringify({ ...tiny, runOn: { labels: ['lab-3'] } }) })
  assert.equal((await until(server.url, next.id, j => FINAL.includes(j.status))).runner, 'third')
  await deliveryReached([third], next.id)
  await api(server.url, `/api/jobs/${job.id}/cancel`, { method: 'POST', body: '{}' })
  assert.equal((await until(server.url, job.id, j => FINAL.includes(j.status))).status, 'cancelled')
  // Its start-up claim may have taken the job first; the re-queue's delivery is then fetched by an idle
  // runner of the class, which finds the row taken. Either way it was sent.
  await deliveryReached([second, third], job.id)
})
