import type { FastifyInstance } from 'fastify'

/**
 * Waits until load shedding has taken a sample of the loop after the app's start. A start that
 * holds the event loop for its whole first 1 s sample leaves @fastify/under-pressure with an empty
 * histogram (NaN, read as an infinite delay): 503 to everything for the next second, whatever
 * MAX_EVENT_LOOP_DELAY_MS says. Tests that assert every answer is 200 start after that.
 */
export async function settled (app: FastifyInstance, sampleMs = 1000): Promise<void> {
  const t0 = Date.now()
  for (;;) {
    const ok = (await app.inject('/api/health')).statusCode === 200
    if (ok && Date.now() - t0 > sampleMs + 200) return
    if (Date.now() - t0 > 30_000) throw new Error('the app never answered /api/health with 200')
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}
