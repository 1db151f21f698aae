import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import { StoreQueue, type JobQueue } from '../jobs/queue.js'
import { Runner } from '../jobs/runner.js'

declare module 'fastify' {
  interface FastifyInstance {
    runner: Runner
    queue: JobQueue
  }
}

/** The job runner and its queue, started once the app is ready and stopped before the store closes. */
export default fp(async function runnerPlugin (app, opts: { config: Config }) {
  const queue = new StoreQueue(app.store)
  const runner = new Runner({
    store: app.store,
    queue,
    host: app.host,
    runtimes: app.runtimes,
    config: opts.config,
    logger: app.log,
    httpBase: () => {
      const addr = app.server.address()
      if (addr === null || typeof addr === 'string') return undefined
      // A wildcard listener is reachable on loopback; a specific address only on itself.
      const host = addr.address === '0.0.0.0' || addr.address === '::' ? '127.0.0.1' : addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
      return `http://${host}:${addr.port}/api/loopback/delay`
    }
  })
  app.decorate('runner', runner)
  app.decorate('queue', queue)
  app.addHook('onReady', async () => { await runner.start() })
  // preClose: the running job is cancelled and stored while the database is still open.
  app.addHook('preClose', async () => { await runner.close() })
}, { name: 'runner', dependencies: ['store', 'host'] })
