import closeWithGrace from 'close-with-grace'
import { buildApp, createLogger } from './app.js'
import { ConfigError, loadConfig, type Config } from './config.js'
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
