// Which canary kernel sees this host's slow phases. Measured here: a thread's recursive, call-heavy
// code (fibonacci) runs 1.3–1.8× slower for 0.25 s to several seconds at a time, each process on its
// own (two side by side are not slowed together), while a dependent xorshift chain (the product's
// first canary kernel) and a pointer walk through 256 KiB do not slow at all. The product's canary is
// now the recursion kernel (src/executors/canary.ts), timed on each task thread.
// One process, for `seconds`: rows of [xorshift, recursion, pointer walk] canaries (fastest of 3
// passes each, as the product takes them) and a timed workload unit (fib(28) × 4). Rows whose unit
// took > 1.25× the median are slow; each kernel's slow-row / fast-row ratio says whether it saw them.
// Prints one JSON line: { rows, slowRows, ratios: { xorshift, recursion, walk, unit } | null }.
function fib (k) { return k < 2 ? k : fib(k - 1) + fib(k - 2) }
function xorshift () {
  let x = 0x9e3779b9 | 0
  for (let i = 0; i < 400_000; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5 }
  return x
}
const ring = new Int32Array(1 << 16).map((_, i) => (i * 7919) & 0xffff)
function walk () {
  let j = 0
  let s = 0
  for (let i = 0; i < 200_000; i++) { j = ring[j]; s += j }
  return s
}
const recursion = () => fib(22)
let sink = 0
function fastest (f) {
  let best = Infinity
  for (let p = 0; p < 3; p++) {
    const t0 = performance.now()
    sink ^= f()
    best = Math.min(best, performance.now() - t0)
  }
  return best
}
for (let i = 0; i < 20; i++) { fastest(xorshift); fastest(recursion); fastest(walk) }
const rows = []
const end = Date.now() + Number(process.argv[2] ?? 10) * 1000
while (Date.now() < end) {
  const k = [fastest(xorshift), fastest(recursion), fastest(walk)]
  const t0 = performance.now()
  for (let i = 0; i < 4; i++) sink += fib(28)
  rows.push([...k, performance.now() - t0])
}
const sorted = rows.map(r => r[3]).sort((a, b) => a - b)
const median = sorted[sorted.length >> 1]
const slow = rows.filter(r => r[3] > 1.25 * median)
const fast = rows.filter(r => r[3] < 1.1 * median)
const mean = (rs, k) => rs.reduce((s, r) => s + r[k], 0) / rs.length
const ratio = k => Math.round(mean(slow, k) / mean(fast, k) * 100) / 100
console.log(JSON.stringify({ rows: rows.length, slowRows: slow.length, ratios: slow.length === 0 || fast.length === 0 ? null : { xorshift: ratio(0), recursion: ratio(1), walk: ratio(2), unit: ratio(3) }, sink: sink !== 0 }))
