// The canary: a fixed small CPU kernel timed on every thread that runs tasks, right before and right
// after each run (Executor.canary, called by measureRun outside the run's timed and CPU windows). On
// VMs that report no steal and no hardware counters (STACK.md: "host contention is visible only
// through timing itself"), it is a sign that the cores a run had were slowed.
//
// Why a chain of calls and not a tight loop: on these 2-vCPU VMs call-heavy code slows 1.3–1.8× for
// 0.25 s to seconds at a time, while tight integer loops (xorshift, the first canary) and a 256 KiB
// pointer walk slow by 1–4 % (bench/raw/slow-phases.mjs). Memory traffic on the other vCPU alone
// slows this kernel ~1.45×, a CPU loop there does not. Why on the task threads: the slowing follows
// the vCPU a thread runs on, so the runner's own thread can be fast while a worker's is slow.
// Module state is per thread: each worker and child has its own copy.

/** Names this kernel and how it is read, so that readings of another kernel are never compared with its (JobVersions.canary). */
export const CANARY_KERNEL = 'fib22-fastest-of-5'

/** Depth of one pass: fib(22) is 57 313 calls, ~0.22 ms on this VM's cores. */
const DEPTH = 22
/** Passes per reading; the fastest one is the reading (a timer interrupt or a GC slows one pass, not all). */
const PASSES = 5
/** Passes before a thread's first reading: the first compiles (~1.5 ms), the next ones tier up. */
const WARM_PASSES = 4
/**
 * Spin before each reading (ms): a thread that was idle resumes on a core whose caches and branch
 * predictors served something else meanwhile, and its first passes read ~10 % slow for that alone.
 */
const RESUME_MS = 1

// Where the kernel's result goes, so that the compiler cannot drop the calls.
let sink = 0
let warm = false

function calls (n: number): number {
  return n < 2 ? n : calls(n - 1) + calls(n - 2)
}

/**
 * Milliseconds of the fastest of five passes of the canary kernel (recursive calls, each pass ~0.2 ms
 * here), timed with performance.now() on the calling thread after 1 ms of the same kind of work. Takes
 * ~2.5 ms; the calling thread's first reading also compiles the kernel (~2 ms more). Call it outside
 * any timed window.
 */
export function canaryMs (): number {
  if (!warm) {
    warm = true
    for (let i = 0; i < WARM_PASSES; i++) sink ^= calls(DEPTH)
  }
  for (const t = performance.now(); performance.now() - t < RESUME_MS;) sink ^= calls(12)
  let best = Infinity
  for (let p = 0; p < PASSES; p++) {
    const t0 = performance.now()
    sink ^= calls(DEPTH)
    best = Math.min(best, performance.now() - t0)
  }
  return best
}

