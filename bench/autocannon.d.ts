// autocannon ships no types; only what bench/api-load-child.ts uses.
declare module 'autocannon' {
  interface Histogram { average: number, mean: number, stddev: number, min: number, max: number, p50: number, p90: number, p99: number, [k: string]: number }
  export interface Result {
    duration: number
    errors: number
    timeouts: number
    non2xx: number
    '2xx': number
    latency: Histogram
    requests: Histogram & { total: number }
    statusCodeStats: Record<string, { count: number }>
  }
  export interface Options {
    url: string
    connections?: number
    duration?: number
    overallRate?: number
    method?: string
    headers?: Record<string, string>
    body?: string
    timeout?: number
  }
  /** The result once the duration is over or stop() was called (it takes effect at the next 1 s tick). */
  function autocannon (opts: Options): Promise<Result> & { stop: () => void }
  export default autocannon
}
