import { Type } from './param-types.js'
import { defineWorkload } from './types.js'

function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2)
}

/** Checksum: decimal sum of fib(n) over all repeats, i.e. fib(n) × repeat (fib(0)=0, fib(1)=1). */
export default defineWorkload({
  id: 'fibonacci',
  kind: 'cpu',
  description: 'Naive recursive fib(n), computed `repeat` times per task.',
  params: Type.Object({
    n: Type.Integer({ default: 30, minimum: 1, maximum: 40, description: 'Which Fibonacci number to compute recursively (cost grows ~1.6^n).' }),
    repeat: Type.Integer({ default: 1, minimum: 1, maximum: 20, description: 'How many times one task computes fib(n).' }),
  }, { additionalProperties: false }),
  run({ n, repeat }) {
    let total = 0
    for (let r = 0; r < repeat; r++) total += fib(n)
    return { checksum: String(total) }
  },
})
