// The trivial task every raw baseline runs: the catalog's `sum-range` work (loop, exact check,
// decimal checksum) and a result object shaped like corebench's ResultMessage, so that both sides
// move the same bytes. Plain .mjs with no corebench import: it loads without tsx in any worker.

const now = () => performance.timeOrigin + performance.now()

export function runTask (msg) {
  const startedAt = now()
  const n = msg.params.n
  let sum = 0
  for (let i = 0; i < n; i++) sum += i
  const exact = (BigInt(n) * BigInt(n - 1)) / 2n
  if (sum !== Number(exact)) throw new Error(`sum-range: loop gave ${sum}, expected ${exact}`)
  return { type: 'result', index: msg.index, checksum: exact.toString(), startedAt, endedAt: now() }
}
