// Raw baseline of the noise suite, run by run: a plain Node process with no corebench machinery that,
// forked with an IPC channel, does one warm-up of fib(n) × tasks and then one timed run per message
// ({} → { wallMs, canaryBeforeMs, canaryAfterMs }), so that the bench can interleave its runs with
// corebench's. Around each run it times the product's canary kernel (dist/executors/canary.js: the
// kernel alone, `npm run build` first), outside the timed span, so that the bench can judge both
// sides' runs by the same rule.
import { canaryMs } from '../../dist/executors/canary.js'

function fib (k) {
  return k < 2 ? k : fib(k - 1) + fib(k - 2)
}

let sink = 0
function runOnce (n, tasks) {
  const t0 = performance.now()
  for (let i = 0; i < tasks; i++) sink += fib(n)
  return performance.now() - t0
}

const [n, tasks] = process.argv.slice(2).map(Number)
runOnce(n, tasks)
process.on('message', () => {
  const canaryBeforeMs = canaryMs()
  const wallMs = runOnce(n, tasks)
  process.send({ wallMs, canaryBeforeMs, canaryAfterMs: canaryMs(), sink })
})
process.on('disconnect', () => { process.exit(0) })
process.send({ ready: true })
