// The canary: a fixed small CPU kernel timed on the runner's own thread. On VMs that report no steal
// and no hardware counters (STACK.md: "host contention is visible only through timing itself"),
// a canary that takes longer after a run than before it is the one sign that the host slowed.

/** Iterations of one pass: ~1 ms on a 2020s x86 core. */
const PASS_ITERATIONS = 400_000
/** Passes per reading; the fastest one is the reading (a timer interrupt or a GC slows one pass, not all). */
const PASSES = 3

// Module state the kernel's result goes into, so that the compiler cannot drop the loop.
let sink = 0
let warm = false

/** One pass of integer mixing (xorshift): no allocation, no memory traffic, nothing to optimise away. */
function pass (): number {
  let x = 0x9e3779b9 | 0
  for (let i = 0; i < PASS_ITERATIONS; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
  }
  return x
}

/**
 * Milliseconds of the fastest of three passes of the canary kernel (each ~1 ms here), timed with
 * performance.now() on the calling thread. Blocks that thread for ~3 ms: call it outside any timed
 * window.
 */
export function canaryMs (): number {
  // Compiled before the first reading counts: an interpreted first pass would look like a slow host.
  if (!warm) {
    warm = true
    for (let i = 0; i < 5; i++) canaryMs()
  }
  let best = Infinity
  for (let p = 0; p < PASSES; p++) {
    const t0 = performance.now()
    sink ^= pass()
    best = Math.min(best, performance.now() - t0)
  }
  return best
}
