import { setTimeout as delay } from 'node:timers/promises'
import { Type } from './param-types.js'
import { defineWorkload } from './types.js'

/** Checksum: the decimal `ms` (a wait has no other deterministic result). */
export default defineWorkload({
  id: 'sleep',
  kind: 'io',
  description: 'Wait `ms` milliseconds on a timer (a simulated API call).',
  params: Type.Object({
    ms: Type.Integer({ default: 100, minimum: 0, maximum: 60_000, description: 'How long one task waits, in milliseconds.' }),
  }, { additionalProperties: false }),
  async run({ ms }) {
    await delay(ms)
    return { checksum: String(ms) }
  },
})
