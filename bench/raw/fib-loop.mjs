// Raw baseline of the noise suite: fib(n) × tasks, repeated `runs` times in one plain Node process
// after one warm-up, with no corebench code. Prints the wall time of each run (ms) as one JSON line.
const [n, tasks, runs] = process.argv.slice(2).map(Number)

function fib (k) {
  return k < 2 ? k : fib(k - 1) + fib(k - 2)
}

let sink = 0
const walls = []
for (let r = -1; r < runs; r++) {
  const t0 = performance.now()
  for (let i = 0; i < tasks; i++) sink += fib(n)
  if (r >= 0) walls.push(performance.now() - t0)
}
process.stdout.write(JSON.stringify({ walls, sink }) + '\n')
