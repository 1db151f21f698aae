import { InvalidArgumentError } from 'commander'
import { Client } from './client.js'
import type { Io } from './io.js'

/** What every command gets: where to write, how to reach the API, and where to put its exit code. */
export interface Context {
  io: Io
  /** Built on first use, after the global --url option is parsed. */
  client: () => Client
  /** Aborted by Ctrl-C while a command waits on the server (the bin only). */
  signal: AbortSignal
  exitCode: number
}

export function createContext (io: Io, signal: AbortSignal, url: () => string | undefined, onFirstUse: () => void = () => {}): Context {
  let client: Client | undefined
  return {
    io,
    signal,
    exitCode: 0,
    client: () => {
      if (client === undefined) {
        client = new Client({ url: url() ?? io.env.COREBENCH_URL, token: io.env.COREBENCH_TOKEN, signal })
        onFirstUse()
      }
      return client
    }
  }
}

// Option parsers: a bad value is a usage error (exit 2) before any request is sent.

export function integer (min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value)
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`)
    return n
  }
}

export function decimal (min: number, max: number, opts: { exclusiveMin?: boolean } = {}) {
  return (value: string): number => {
    const n = Number(value)
    if (value.trim() === '' || !Number.isFinite(n) || n > max || (opts.exclusiveMin === true ? n <= min : n < min)) {
      throw new InvalidArgumentError(`expected a number ${opts.exclusiveMin === true ? 'above' : 'from'} ${min} ${opts.exclusiveMin === true ? 'up ' : ''}to ${max}`)
    }
    return n
  }
}

/** `key:value`, as GET /api/jobs?tag= takes it. */
export function tag (value: string): string {
  const at = value.indexOf(':')
  if (at < 1 || !/^[A-Za-z0-9_./-]{1,64}$/.test(value.slice(0, at))) throw new InvalidArgumentError('expected key:value (key: letters, digits, _ . / -)')
  return value
}

export function collectTags (value: string, previous: string[] = []): string[] {
  return [...previous, tag(value)]
}

/** `--runtime python --runtime node` or `--runtime node,python`: each id once (submit checks them). */
export function collectRuntimes (value: string, previous: string[] = []): string[] {
  const ids = value.split(',').map(v => v.trim()).filter(v => v !== '')
  if (ids.length === 0) throw new InvalidArgumentError('expected a runtime id such as node or python')
  return [...new Set([...previous, ...ids])]
}
