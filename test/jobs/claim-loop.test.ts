import assert from 'node:assert/strict'
import { describe, test, type TestContext } from 'node:test'
import { MemoryBus, type RunnerCommand } from '../../src/jobs/bus.js'
import { cellKey } from '../../src/schemas/cells.js'
import { ClaimLoop, type ClaimLoopOptions, type LoopState } from '../../src/jobs/claim-loop.js'
import { isFinalEvent, type JobEvent, type Progress } from '../../src/jobs/events.js'
import { JobControl } from '../../src/jobs/control.js'
import { JobPublisher } from '../../src/jobs/publisher.js'
import { StoreQueue, type RunnerIdentity } from '../../src/jobs/queue.js'
import { recoverJobs } from '../../src/jobs/recovery.js'
import type { JobSpec } from '../../src/schemas/job.js'
import { MemoryStore } from '../../src/store/memory/store.js'
import type { JobRecord, RunStore } from '../../src/store/types.js'
import type { RunOutcome } from '../../src/measure/measure-run.js'
import { Channel, failedRun, FakeClock, FakeForks, Hold, newJob, okRun, Recorder, silentLogger, testHost } from './fakes.js'

const RUNNER: RunnerIdentity = { runnerId: 'r_test', hostId: 'h_test', runtimes: ['node'] }
const LEASE_MS = 15_000

interface Rig {
  clock: FakeClock
  store: MemoryStore
  queue: StoreQueue
  bus: MemoryBus
  publisher: JobPublisher
  control: JobControl
  forks: FakeForks
  loop: ClaimLoop
  events: Recorder<JobEvent>
  states: Recorder<LoopState>
  /** What each insertRun of the runner answered. */
  inserts: boolean[]
  /** Back-off waits the loop asked for; each ends when woken (or when the loop closes). */
  sleeps: Channel<{ ms: number, wake: () => void }>
  /** Everything the publisher could not publish and the loop logged as an error. */
  errors: unknown[]
  /** Stores a job and announces it as the API does (job.queued, then a wake-up on the bus). */
  submit: (spec?: Partial<JobSpec>) => Promise<JobRecord>
  /** Resolves with the job's final event (already published or still to come). */
  final: (jobId: string) => Promise<JobEvent>
  /** The events of one job, in publication order. */
  of: (jobId: string) => JobEvent[]
}

interface RigOptions {
  forks?: 'auto' | 'gated'
  heartbeatMs?: number
  retryMs?: { first: number, max: number }
  /** Replaces some of the run log's methods (a database failure mid-job, say). */
  runs?: (store: MemoryStore) => Partial<RunStore>
  mayClaim?: () => boolean
  disturbance?: ClaimLoopOptions['disturbance']
}

/**
 * A claim loop over a MemoryStore (through StoreQueue), a MemoryBus and FakeForks, started and settled (its first claim
 * found nothing) before the test goes on. Closed after the test.
 */
async function rig (t: TestContext, opts: RigOptions = {}): Promise<Rig> {
  const clock = new FakeClock()
  const store = new MemoryStore({ now: clock.now, hosts: [testHost(RUNNER.hostId)] })
  const queue = new StoreQueue(store)
  const bus = new MemoryBus()
  const errors: unknown[] = []
  // The runner's publisher numbers events only for jobs it holds; the API's (JobControl's) for any.
  const publisher = new JobPublisher(bus, queue, job => ({ id: job.id, status: job.status }), err => { errors.push(err) }, RUNNER.runnerId)
  const apiPublisher = new JobPublisher(bus, queue, job => ({ id: job.id, status: job.status }), err => { errors.push(err) })
  const events = new Recorder<JobEvent>()
  bus.subscribe(events.add)
  const states = new Recorder<LoopState>()
  const forks = new FakeForks(opts.forks ?? 'gated')
  const inserts: boolean[] = []
  const sleeps = new Channel<{ ms: number, wake: () => void }>()
  const runs: RunStore = {
    insertRun: async (run, timings, runnerId) => {
      const ok = await store.insertRun(run, timings, runnerId)
      inserts.push(ok)
      return ok
    },
    listRuns: async id => await store.listRuns(id),
    getTimings: async id => await store.getTimings(id),
    ...opts.runs?.(store)
  }
  const loop = new ClaimLoop({
    identity: RUNNER,
    bus,
    queue,
    runs,
    publisher,
    forks: () => forks,
    budgetMs: 3_600_000,
    heartbeatMs: opts.heartbeatMs ?? 60_000,
    idlePollMs: 3_600_000,
    retryMs: opts.retryMs ?? { first: 100, max: 1000 },
    logger: { ...silentLogger, error: (o: object) => { errors.push(o) } },
    onState: states.add,
    mayClaim: opts.mayClaim,
    disturbance: opts.disturbance,
    skipHostCheck: true,
    sleep: async (ms, signal) => {
      await new Promise<void>(resolve => {
        sleeps.push({ ms, wake: resolve })
        signal.addEventListener('abort', () => { resolve() }, { once: true })
      })
    }
  })
  t.after(async () => { await loop.close() })
  const control = new JobControl(queue, bus, apiPublisher)
  const settled = states.next(s => s.state === 'idle')
  loop.start()
  await settled
  return {
    clock,
    store,
    queue,
    bus,
    publisher,
    control,
    forks,
    loop,
    events,
    states,
    inserts,
    sleeps,
    errors,
    submit: async (spec) => {
      const job = await queue.enqueue(newJob(spec))
      await control.queued(job)
      return job
    },
    final: async (jobId) => await events.find(e => e.jobId === jobId && isFinalEvent(e.type)),
    of: (jobId) => events.items.filter(e => e.jobId === jobId)
  }
}

function assertIncreasingSeq (events: JobEvent[]): void {
  for (let i = 1; i < events.length; i++) {
    assert.ok(events[i].seq > events[i - 1].seq, `seq goes up: ${events.map(e => `${e.type}#${e.seq}`).join(' ')}`)
  }
}

function finals (events: JobEvent[]): string[] {
  return events.filter(e => isFinalEvent(e.type)).map(e => e.type)
}

/** Lets every pending microtask run (promise chains of the loop), `n` times over; no timers. */
async function ticks (n: number): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve()
}

describe('a claimed job, measured to its end', () => {
  test('(a) a queued job is claimed, its runs recorded, and it ends finished; its events in strictly increasing seq, job.queued … job.finished', async (t) => {
    const r = await rig(t, { forks: 'auto' })
    const settled = r.states.next(s => s.state === 'idle')
    const job = await r.submit({ executors: ['serialized', 'threaded'], workers: [1, 2], repetitions: 2, warmup: 1 })
    const last = await r.final(job.id)
    await settled
    assert.equal(last.type, 'job.finished')

    const events = r.of(job.id)
    assertIncreasingSeq(events)
    assert.deepEqual(events.slice(0, 2).map(e => [e.type, e.seq]), [['job.queued', 1], ['job.started', 2]])
    assert.equal(events.at(-1), last, 'nothing after the final event')
    assert.deepEqual(finals(events), ['job.finished'])
    assert.equal(events.filter(e => e.type === 'run.started').length, 3 * 2 * 2, 'warm-ups start too')
    assert.equal(events.filter(e => e.type === 'run.finished').length, 3 * 2, 'warm-ups are not recorded')
    const progress = events.filter(e => e.type === 'progress').map(e => e.data as Progress)
    assert.ok(progress.length > 0)
    assert.equal(progress.at(-1)?.jobDone, progress.at(-1)?.jobTotal)

    // One fork per cell and round, the order rotating from round to round (A B C, B C A).
    assert.deepEqual(r.forks.plans.map(p => cellKey(p.cell)), ['serialized/1', 'threaded/1', 'threaded/2', 'threaded/1', 'threaded/2', 'serialized/1'])
    const stored = await r.store.getJob(job.id)
    assert.equal(stored?.status, 'finished')
    assert.equal(stored.error, null)
    assert.equal(stored.runnerId, RUNNER.runnerId)
    assert.equal(stored.tasksDone, stored.tasksTotal)
    assert.equal(stored.eventSeq, last.seq, 'the final event carries the seq its transition took')
    assert.equal((stored.summary as { cells: unknown[] }).cells.length, 3)
    const runs = await r.store.listRuns(job.id)
    assert.equal(runs.length, 6)
    assert.ok(runs.every(run => run.ok && run.verified === true))
    assert.deepEqual(r.inserts, [true, true, true, true, true, true])
    assert.deepEqual(r.errors, [])
    assert.deepEqual(r.loop.state, { state: 'idle' })
  })

  test('a job the runner cannot run waits, and the next one it can run is taken', async (t) => {
    const r = await rig(t, { forks: 'auto' })
    const python = await r.submit({ runtimes: ['python'] })
    const node = await r.submit()
    assert.equal((await r.final(node.id)).type, 'job.finished')
    assert.equal((await r.store.getJob(python.id))?.status, 'queued')
    assert.deepEqual(r.forks.plans.map(p => p.cell.runtime), ['node'])
  })

  test('a run that fails breaks its cell: the other cells go on and the job ends failed, with the reason', async (t) => {
    const r = await rig(t)
    const job = await r.submit({ executors: ['serialized', 'async'], repetitions: 2 })
    // serialized #1, async #1 (fails), serialized #2; async #2 is not tried.
    ;(await r.forks.gates.next()).pass()
    ;(await r.forks.gates.next()).pass(failedRun(4, 'worker ran out of memory'))
    const third = await r.forks.gates.next()
    assert.equal(cellKey(third.plan.cell), 'serialized/1')
    third.pass()
    const last = await r.final(job.id)
    assert.equal(last.type, 'job.failed')
    const stored = await r.store.getJob(job.id)
    assert.match(stored?.error ?? '', /^1 of 2 cells failed: async\/1 repetition 1 of 2: COREBENCH_ERR_WORKER_EXITED: worker ran out of memory/)
    assert.deepEqual((await r.store.listRuns(job.id)).map(run => run.ok), [true, false, true], 'the failed run is stored too')
    assert.equal(r.forks.plans.length, 3)
  })

  test('a run whose canary drifted past the threshold is disturbed, kept, and its fork redone; the redo that is not counts', async (t) => {
    const r = await rig(t, { disturbance: { thresholds: { foreignCpu: 100, steal: 1, canaryDrift: 0.5 }, redos: 2 } })
    const job = await r.submit({ executors: ['serialized'], repetitions: 1, warmup: 1 })
    const canary = (before: number, after: number): RunOutcome => ({ ...okRun(4), disturbance: { foreignCpu: 0, steal: 0, involuntarySwitches: 0, canaryBeforeMs: before, canaryAfterMs: after, canaryDrift: after / before - 1 } })
    // A warm-up's drift does not count; the recorded run's +55 % does; the redo's −10 % does not.
    ;(await r.forks.gates.next()).pass(canary(0.2, 0.4))
    ;(await r.forks.gates.next()).pass(canary(0.2, 0.31))
    ;(await r.forks.gates.next()).pass(canary(0.2, 0.2))
    ;(await r.forks.gates.next()).pass(canary(0.22, 0.198))
    assert.equal((await r.final(job.id)).type, 'job.finished')
    const runs = (await r.store.listRuns(job.id)).map(run => ({ redo: run.redo, disturbedBy: run.disturbedBy }))
    assert.deepEqual(runs, [{ redo: 0, disturbedBy: 'canary drift +55 % beyond ±50 %' }, { redo: 1, disturbedBy: null }])
    assert.equal(r.forks.plans.length, 2, 'one redo, not two')
  })

  test('a run\'s last progress goes out when the run is recorded, not while the canary after it is timed', async (t) => {
    const r = await rig(t, { forks: 'auto' })
    const done = (e: JobEvent): boolean => e.type === 'progress' && (e.data as Progress).runDone === (e.data as Progress).runTotal
    const seen: boolean[] = []
    r.forks.afterTasks = async () => {
      await ticks(200)
      seen.push(r.events.items.some(done))
    }
    const job = await r.submit({ repetitions: 2 })
    assert.equal((await r.final(job.id)).type, 'job.finished')
    assert.deepEqual(seen, [false, true], 'after the first run\'s tasks, no run has ended in progress yet; after the second\'s, only the first')
    const types = r.of(job.id).filter(e => done(e) || e.type === 'run.finished').map(e => e.type)
    assert.deepEqual(types, ['progress', 'run.finished', 'progress', 'run.finished'])
  })

  test('a job whose execution crashes (the run log fails) ends failed with the cause, and the loop takes the next job', async (t) => {
    let broken = true
    const r = await rig(t, {
      forks: 'auto',
      runs: store => ({
        listRuns: async (id) => {
          if (broken) { broken = false; throw new Error('disk I/O error') }
          return await store.listRuns(id)
        }
      })
    })
    const first = await r.submit()
    const second = await r.submit()
    assert.equal((await r.final(first.id)).type, 'job.failed')
    assert.match((await r.store.getJob(first.id))?.error ?? '', /disk I\/O error/)
    assert.equal((await r.final(second.id)).type, 'job.finished')
    assert.equal(r.errors.length, 1, 'logged once')
  })
})

test('a job queued while the loop\'s last claim is in flight is taken without waiting for the idle poll', async (t) => {
  const r = await rig(t, { forks: 'auto' })
  const claim = new Hold<readonly string[]>()
  r.store.hooks.beforeClaim = claim.wait
  r.loop.kick() // an idle poll: its claim reads an empty queue…
  assert.deepEqual(await claim.reached, [])
  const job = await r.submit() // …and the job's wake-up arrives before that claim answers
  const idle = r.states.next(s => s.state === 'idle')
  claim.release()
  await idle
  await ticks(20)
  assert.notEqual((await r.store.getJob(job.id))?.status, 'queued', 'the job waits for the next idle poll')
})

/** Submits a job, cancels it while `hold` keeps the runner there (the job is running by then), lets it go: the job must end cancelled. */
async function cancelWhileHeld (r: Rig, hold: Hold): Promise<void> {
  const job = await r.submit()
  await hold.reached
  assert.equal((await r.store.getJob(job.id))?.status, 'running')
  assert.equal(await r.control.cancel(job.id), 'cancelling')
  hold.release()
  const last = await r.final(job.id)
  assert.equal(last.type, 'job.cancelled', `the API said "cancelling", and the job ended ${last.type}`)
}

describe('(b) cancel a queued job while a runner claims it', () => {
  test('the cancel lands while the claim is in flight: the job ends cancelled before it started, and the runner takes nothing', async (t) => {
    const r = await rig(t)
    const claim = new Hold<readonly string[]>()
    r.store.hooks.beforeClaim = claim.wait
    const job = await r.submit()
    assert.deepEqual(await claim.reached, [job.id], 'the claim has seen the job queued')

    assert.equal(await r.control.cancel(job.id), 'cancelled')
    const idle = r.states.next(s => s.state === 'idle')
    claim.release()
    await idle
    assert.equal(r.forks.plans.length, 0, 'nothing was measured')
    const stored = await r.store.getJob(job.id)
    assert.equal(stored?.status, 'cancelled')
    assert.equal(stored.runnerId, null)
    const events = r.of(job.id)
    assert.deepEqual(events.map(e => [e.type, e.seq]), [['job.queued', 1], ['job.cancelled', 2]])
    assert.equal(await r.control.cancel(job.id), 'not-active')
  })

  test('the claim wins: the cancel becomes a request, reaches the runner over the bus, and the job ends cancelled with the runs measured before it kept', async (t) => {
    const r = await rig(t)
    const claim = new Hold<readonly string[]>()
    r.store.hooks.beforeClaim = claim.wait
    const job = await r.submit({ repetitions: 3 })
    await claim.reached
    assert.equal((await r.store.getJob(job.id))?.status, 'queued')
    claim.release()
    ;(await r.forks.gates.next()).pass()
    const inFlight = await r.forks.gates.next()
    assert.equal((await r.store.listRuns(job.id)).length, 1)

    assert.equal(await r.control.cancel(job.id), 'cancelling')
    assert.equal(inFlight.plan.signal.reason, 'cancel', 'the bus command reached the loop at once')
    const last = await r.final(job.id)
    assert.equal(last.type, 'job.cancelled')
    const stored = await r.store.getJob(job.id)
    assert.equal(stored?.status, 'cancelled')
    assert.match(stored?.error ?? '', /cancelled by request; runs measured before that are kept/)
    assert.equal((await r.store.listRuns(job.id)).length, 1, 'the run measured before the cancel is kept')
    const events = r.of(job.id)
    assertIncreasingSeq(events)
    assert.deepEqual(finals(events), ['job.cancelled'])
    assert.equal(events.at(-1), last)
    assert.equal(r.forks.plans.length, 2, 'no fork after the cancel')
  })

  test('the cancel lands between the claim\'s write and the loop taking the job: the job still ends cancelled', async (t) => {
    const r = await rig(t, { forks: 'auto' })
    const claimed = new Hold()
    r.store.hooks.afterClaim = async (job) => { if (job !== undefined) await claimed.wait() }
    await cancelWhileHeld(r, claimed)
  })

  test('a cancel acknowledged while the runner stores the end of a fully measured job: the job ends cancelled, not finished', async (t) => {
    const inFinish = new Hold()
    const r = await rig(t, { forks: 'auto', runs: queue => ({ listRuns: async (id) => { await inFinish.wait(); return await queue.listRuns(id) } }) })
    await cancelWhileHeld(r, inFinish)
  })

  test('submit and cancel at once, after 0 to 119 microtask turns: the job ends cancelled, or the cancel came after it finished (not-active); never "cancelling" and then finished', async (t) => {
    const r = await rig(t, { forks: 'auto' })
    const broken: string[] = []
    for (let delay = 0; delay < 120; delay++) {
      const job = await r.submit()
      await ticks(delay)
      const answer = await r.control.cancel(job.id)
      const last = await r.final(job.id)
      const stored = await r.store.getJob(job.id)
      const ok = answer === 'not-active' ? stored?.status === 'finished' : stored?.status === 'cancelled' && last.type === 'job.cancelled'
      if (!ok) broken.push(`after ${delay} ticks: cancel said ${answer}, the job ended ${stored?.status ?? '?'}`)
      assert.equal(finals(r.of(job.id)).length, 1, 'one final event')
    }
    assert.deepEqual(broken, [])
  })
})

describe('(c) a lost lease', () => {
  /** The lease sweep of another process (an API instance) with its own publisher on the same bus. */
  async function recover (r: Rig, requeue = false): Promise<JobRecord[]> {
    const sweeper = new JobPublisher(r.bus, r.queue, job => ({ id: job.id, status: job.status }), err => { r.errors.push(err) })
    return await recoverJobs(r.queue, sweeper, { staleBefore: new Date(r.clock.now().getTime() - LEASE_MS), requeue, reason: `its runner stopped renewing its lease for ${LEASE_MS} ms` })
  }

  test('the job is recovered while its fork runs: the late run is refused, and the runner writes and announces nothing final; the job stays interrupted', async (t) => {
    const r = await rig(t)
    const job = await r.submit({ repetitions: 3 })
    ;(await r.forks.gates.next()).pass()
    const inFlight = await r.forks.gates.next()

    assert.deepEqual(await recover(r), [], 'a fresh lease is left alone')
    r.clock.advance(LEASE_MS + 1)
    const recovered = await recover(r)
    assert.deepEqual(recovered.map(j => [j.id, j.status]), [[job.id, 'interrupted']])

    const idle = r.states.next(s => s.state === 'idle')
    inFlight.pass()
    await idle
    assert.deepEqual(r.inserts, [true, false], 'the late run was refused')
    assert.match(r.forks.records.at(-1)?.reason ?? '', /no longer held by this runner/)
    assert.equal(inFlight.plan.signal.reason, 'lost')
    assert.equal(r.forks.plans.length, 2, 'no fork after the refusal')
    const stored = await r.store.getJob(job.id)
    assert.equal(stored?.status, 'interrupted')
    assert.match(stored?.error ?? '', /stopped renewing its lease/)
    assert.equal((await r.store.listRuns(job.id)).length, 1, 'the run stored before is kept')
    const events = r.of(job.id)
    assert.deepEqual(finals(events), ['job.interrupted'])
    const interruptedAt = events.findIndex(e => e.type === 'job.interrupted')
    assert.deepEqual(events.slice(interruptedAt).filter(e => e.type === 'run.finished'), [], 'the refused run is not announced')
    assert.equal(stored?.eventSeq, Math.max(...events.map(e => e.seq)))
  })

  test('the runner learns of the loss at its next heartbeat: the fork is stopped, nothing final is written', async (t) => {
    const r = await rig(t, { heartbeatMs: 5 })
    const job = await r.submit({ repetitions: 3 })
    const inFlight = await r.forks.gates.next()
    r.clock.advance(LEASE_MS + 1)
    assert.equal((await recover(r)).length, 1)
    const idle = r.states.next(s => s.state === 'idle')
    await idle
    assert.equal(inFlight.plan.signal.reason, 'lost')
    assert.deepEqual(r.inserts, [])
    assert.equal((await r.store.getJob(job.id))?.status, 'interrupted')
    assert.deepEqual(finals(r.of(job.id)), ['job.interrupted'])
  })

  test('after a recovery the runner publishes nothing more for the job: its events reach the bus in seq order and end with job.interrupted', async (t) => {
    const r = await rig(t)
    const job = await r.submit({ repetitions: 2 })
    const inFlight = await r.forks.gates.next()
    r.clock.advance(LEASE_MS + 1)
    await recover(r)
    const idle = r.states.next(s => s.state === 'idle')
    inFlight.pass()
    await idle
    const events = r.of(job.id)
    assertIncreasingSeq(events)
    assert.equal(events.at(-1)?.type, 'job.interrupted', events.map(e => `${e.type}#${e.seq}`).join(' '))
  })

  test('re-queue: a recovered job goes back to queued (job.queued announced) and runs again from the start, its seq going on', async (t) => {
    const r = await rig(t)
    const job = await r.submit()
    const first = await r.forks.gates.next()
    r.clock.advance(LEASE_MS + 1)
    // The job is back in the queue while this runner is still busy with it: only its lease was lost.
    // (Its events so far are out first: see the test on events after a recovery.)
    await r.publisher.flush(job.id)
    const [requeued] = await recover(r, true)
    assert.equal(requeued?.status, 'queued')
    assert.match(requeued?.error ?? '', /re-queued$/)
    // The late run of the first attempt is refused; the loop then claims the job again.
    first.pass()
    const second = await r.forks.gates.next()
    assert.equal(second.fork, 1)
    assert.equal(second.plan.signal.aborted, false)
    second.pass()
    const last = await r.final(job.id)
    assert.equal(last.type, 'job.finished')
    const events = r.of(job.id)
    assertIncreasingSeq(events)
    assert.deepEqual(events.filter(e => e.type.startsWith('job.')).map(e => e.type), ['job.queued', 'job.started', 'job.queued', 'job.started', 'job.finished'])
    assert.deepEqual(r.inserts, [false, true], 'the first attempt\'s late run refused, the second\'s stored')
  })

  test('a runner that renewed its lease between the sweep\'s read and its release keeps its job', async (t) => {
    const r = await rig(t)
    const job = await r.submit()
    await r.forks.gates.next()
    r.clock.advance(LEASE_MS + 1)
    r.store.hooks.afterHeld = async (jobs) => {
      r.store.hooks.afterHeld = undefined
      // The runner's heartbeat, as its timer would send it, lands in the window.
      for (const j of jobs) assert.deepEqual(await r.queue.heartbeat(j.id, RUNNER.runnerId), { held: true, cancelRequested: false })
    }
    const recovered = await recover(r)
    assert.deepEqual(recovered, [])
    assert.equal((await r.store.getJob(job.id))?.status, 'running')
  })
})

describe('(d) a claim that fails', () => {
  test('puts the loop in stalled, is retried with back-off up to its cap, and the next claim that works runs the job; back-off starts over after', async (t) => {
    const r = await rig(t, { forks: 'auto', retryMs: { first: 100, max: 250 } })
    r.store.failNextClaims(4, 'SQLITE_BUSY: database is locked')
    const settled = r.states.next(s => s.state === 'idle')
    const job = await r.submit()
    const waits: number[] = []
    for (let i = 0; i < 4; i++) {
      const sleep = await r.sleeps.next()
      waits.push(sleep.ms)
      const state = r.loop.state
      assert.equal(state.state, 'stalled')
      assert.equal(state.state === 'stalled' && state.error, 'SQLITE_BUSY: database is locked')
      assert.equal((await r.store.getJob(job.id))?.status, 'queued')
      sleep.wake()
    }
    assert.deepEqual(waits, [100, 200, 250, 250])
    assert.equal((await r.final(job.id)).type, 'job.finished')
    await settled
    assert.deepEqual(r.states.items.map(s => s.state).slice(0, 4), ['idle', 'stalled', 'running', 'idle'], 'stalled is reported once, not at every retry')
    assert.equal(r.errors.length, 4, 'each failed claim is logged')

    r.store.failNextClaims(1)
    const next = await r.submit()
    const sleep = await r.sleeps.next()
    assert.equal(sleep.ms, 100, 'a claim that worked resets the back-off')
    sleep.wake()
    assert.equal((await r.final(next.id)).type, 'job.finished')
  })

  test('while the runner may not claim (its machine lock is lost) a queued job waits and the loop is stalled; the kick that follows the lock claims it', async (t) => {
    let locked = true
    const r = await rig(t, { forks: 'auto', mayClaim: () => locked })
    locked = false
    const stalled = r.states.next(s => s.state === 'stalled')
    const job = await r.submit()
    assert.match((await stalled as { error: string }).error, /machine lock/)
    r.loop.kick()
    assert.equal((await r.store.getJob(job.id))?.status, 'queued', 'not claimed while the lock is lost')
    locked = true
    const settled = r.states.next(s => s.state === 'idle')
    r.loop.kick()
    assert.equal((await r.final(job.id)).type, 'job.finished')
    await settled
    assert.deepEqual(r.states.items.map(s => s.state), ['idle', 'stalled', 'running', 'idle'], 'stalled reported once')
  })

  test('close() while stalled ends the back-off at once', async (t) => {
    const r = await rig(t)
    r.store.failNextClaims(Number.POSITIVE_INFINITY)
    await r.submit()
    await r.sleeps.next()
    await r.loop.close()
    assert.deepEqual(r.loop.state, { state: 'closed' })
    assert.equal(r.sleeps.pending, 0, 'no retry after close')
  })
})

describe('(e) close() during a job', () => {
  test('shutdown: the job ends cancelled with its runs kept, and close resolves once that is stored and announced', async (t) => {
    const r = await rig(t)
    const job = await r.submit({ repetitions: 3 })
    ;(await r.forks.gates.next()).pass()
    const inFlight = await r.forks.gates.next()
    await r.loop.close()
    assert.equal(inFlight.plan.signal.reason, 'shutdown')
    const stored = await r.store.getJob(job.id)
    assert.equal(stored?.status, 'cancelled')
    assert.match(stored?.error ?? '', /the runner shut down; runs measured before that are kept/)
    assert.equal((await r.store.listRuns(job.id)).length, 1)
    assert.deepEqual(finals(r.of(job.id)), ['job.cancelled'])
    assert.deepEqual(r.loop.state, { state: 'closed' })

    const later = await r.submit()
    assert.equal((await r.store.getJob(later.id))?.status, 'queued', 'a closed loop claims nothing')
  })

  test('orphaned: the job ends interrupted, with its runs kept', async (t) => {
    const r = await rig(t)
    const job = await r.submit({ repetitions: 3 })
    ;(await r.forks.gates.next()).pass()
    await r.forks.gates.next()
    await r.loop.close('orphaned')
    const stored = await r.store.getJob(job.id)
    assert.equal(stored?.status, 'interrupted')
    assert.match(stored?.error ?? '', /the server that supervised its runner is gone/)
    assert.equal((await r.store.listRuns(job.id)).length, 1)
    assert.deepEqual(finals(r.of(job.id)), ['job.interrupted'])
  })

  test('close() while a claim is in flight: the job it takes is not measured', async (t) => {
    const r = await rig(t, { forks: 'auto' })
    const claim = new Hold<readonly string[]>()
    r.store.hooks.beforeClaim = claim.wait
    const job = await r.submit()
    assert.deepEqual(await claim.reached, [job.id])
    const closed = r.loop.close()
    claim.release()
    await closed
    assert.equal(r.forks.plans.length, 0, 'no fork after close() began')
    assert.notEqual((await r.store.getJob(job.id))?.status, 'finished')
  })
})

describe('(f) JobControl.cancel', () => {
  test('a queued job: cancelled at once, announced with job.cancelled; a second cancel is not-active', async (t) => {
    const r = await rig(t)
    // A Python job: this Node runner never claims it.
    const job = await r.submit({ runtimes: ['python'] })
    assert.equal(await r.control.cancel(job.id), 'cancelled')
    const events = r.of(job.id)
    assert.deepEqual(events.map(e => [e.type, e.seq]), [['job.queued', 1], ['job.cancelled', 2]])
    assert.deepEqual(events[1].data, { id: job.id, status: 'cancelled' })
    assert.equal((await r.store.getJob(job.id))?.error, 'cancelled before it started')
    assert.equal(await r.control.cancel(job.id), 'not-active')
  })

  test('a running job: cancelling, and the cancel command on the bus reaches the loop, which records and announces cancelled', async (t) => {
    const r = await rig(t)
    const commands = new Recorder<RunnerCommand>()
    r.bus.onCommand(commands.add)
    const job = await r.submit({ repetitions: 2 })
    const inFlight = await r.forks.gates.next()
    assert.deepEqual(r.loop.runningJob?.id, job.id)
    assert.equal(await r.control.cancel(job.id), 'cancelling')
    assert.deepEqual(commands.items.at(-1), { type: 'cancel', jobId: job.id })
    assert.equal(inFlight.plan.signal.reason, 'cancel')
    assert.equal((await r.final(job.id)).type, 'job.cancelled')
    assert.equal((await r.store.getJob(job.id))?.status, 'cancelled')
    assert.equal(await r.control.cancel(job.id), 'not-active')
  })

  test('a running job whose cancel command was lost: the request is durable, and the next heartbeat stops it', async (t) => {
    const r = await rig(t, { heartbeatMs: 5 })
    const job = await r.submit({ repetitions: 2 })
    const inFlight = await r.forks.gates.next()
    assert.equal(await r.queue.requestCancel(job.id), true, 'asked in the queue only, no bus command')
    assert.equal((await r.final(job.id)).type, 'job.cancelled')
    assert.equal(inFlight.plan.signal.reason, 'cancel')
  })
})
