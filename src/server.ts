import closeWithGrace from 'close-with-grace'
import { buildApp, createLogger } from './app.js'
import { ConfigError, isLoopback, loadConfig, type Config } from './config.js'
import { migrate } from './store/migrate.js'

// Process work only: configuration, migrations, listen, graceful shutdown.

let config: Config
try {
  config = loadConfig()
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`corebench: ${err.message}`)
    process.exit(1)
  }
  throw err
}

const logger = await createLogger(config)
try {
  await migrate(config.DATABASE_URL)
} catch (err) {
  logger.fatal(`corebench: cannot prepare the database ${config.DATABASE_URL}: ${(err as Error).message}`)
  process.exit(1)
}

const app = await buildApp({ config, logger })

// An open server (no token) is only acceptable where nobody else can reach it.
if (await app.store.countActiveTokens() === 0) {
  if (!isLoopback(config.HOST) && !config.ALLOW_OPEN_NETWORK) {
    app.log.fatal(`corebench: refusing to listen on ${config.HOST} with no API token: anyone on the network could submit, cancel and delete jobs. Create one with \`corebench token create NAME\`, or set ALLOW_OPEN_NETWORK=true`)
    await app.close()
    process.exit(1)
  }
  app.log.warn('no API token exists: writes are open to anyone who can reach this address (loopback only); create one with `corebench token create NAME`')
}

closeWithGrace({ delay: 20_000, logger: app.log }, async ({ signal, err }) => {
  if (err !== undefined) app.log.error({ err }, 'shutting down after an error')
  else app.log.info(`${String(signal)} received, shutting down`)
  await app.close()
})

try {
  await app.listen({ port: config.PORT, host: config.HOST })
} catch (err) {
  app.log.fatal(`corebench: cannot listen on ${config.HOST}:${config.PORT}: ${(err as Error).message}`)
  process.exit(1)
}
