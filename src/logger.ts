import type { Logger } from 'pino'
import type { Config } from './config.js'

/** JSON logs by default; pretty only for a human at a terminal. Secrets never reach a log line. */
export async function createLogger (config: Pick<Config, 'LOG_LEVEL'>, bindings?: Record<string, unknown>): Promise<Logger> {
  const { pino } = await import('pino')
  return pino({
    level: config.LOG_LEVEL,
    base: bindings === undefined ? undefined : { pid: process.pid, ...bindings },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'], censor: '[redacted]' },
    transport: process.stdout.isTTY ? { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } : undefined
  })
}
