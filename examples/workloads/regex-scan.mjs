import { createHash } from 'node:crypto'

// Everything a task runs is in this file (and its twin regex-scan.py), so the version hash covers it.
const LEVELS = ['INFO', 'INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR']
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE']
const PATHS = ['/api/jobs', '/api/jobs/42', '/api/history', '/api/workloads', '/healthz', '/api/runners']
const STATUSES = [200, 200, 200, 201, 204, 304, 400, 404, 500, 503]
// Slow or failed requests: WARN/ERROR lines, or a 5xx, or 1000 ms and more. ASCII-only syntax that
// JavaScript and Python's `re` read the same way.
const PATTERN = /^\S+ (?:WARN|ERROR|INFO|DEBUG) (worker-\d+) (GET|POST|PUT|DELETE) (\S+) (5\d\d|[1-4]\d\d \d{4,}ms)/

/** xorshift32 (Marsaglia 2003, shifts 13/17/5) from SEED, as corebench's built-ins use it. */
function xorshift32 (seed = 2463534242) {
  let x = seed | 0
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return x >>> 0
  }
}

/**
 * Access-log lines; per line seven draws in this order: second of day, level, worker (% 16),
 * method, path, status, duration (% 5000 ms):
 * `2026-11-30T${hh}:${mm}:${ss}Z ${level} worker-${w} ${method} ${path} ${status} ${ms}ms`
 */
function logLines (count) {
  const next = xorshift32()
  const two = (n) => String(n).padStart(2, '0')
  const lines = new Array(count)
  for (let i = 0; i < count; i++) {
    const s = next() % 86400
    const level = LEVELS[next() % LEVELS.length]
    const worker = next() % 16
    const method = METHODS[next() % METHODS.length]
    const path = PATHS[next() % PATHS.length]
    const status = STATUSES[next() % STATUSES.length]
    lines[i] = `2026-11-30T${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}Z ${level} worker-${worker} ${method} ${path} ${status} ${next() % 5000}ms`
  }
  return lines
}

/**
 * Generates `lines` log lines, then scans them `passes` times with PATTERN, counting matches per
 * "worker method path status-or-slow" key. Checksum: sha256 hex of the "key=count" lines sorted by
 * key (code-point order), joined by "\n", for the last pass (every pass finds the same).
 */
export default {
  id: 'examples/regex-scan',
  kind: 'cpu',
  description: 'Regular-expression scan over generated access-log lines (pure JS CPU on the task\'s thread).',
  params: {
    type: 'object',
    properties: {
      lines: { type: 'integer', minimum: 1, maximum: 1000000, default: 5000, description: 'Log lines one task generates.' },
      passes: { type: 'integer', minimum: 1, maximum: 100, default: 4, description: 'How many times the lines are scanned.' }
    },
    additionalProperties: false
  },
  run ({ lines, passes }) {
    const log = logLines(lines)
    let counts
    for (let p = 0; p < passes; p++) {
      counts = new Map()
      for (const line of log) {
        const m = PATTERN.exec(line)
        if (m === null) continue
        const key = `${m[1]} ${m[2]} ${m[3]} ${m[4].length === 3 ? m[4] : 'slow'}`
        counts.set(key, (counts.get(key) ?? 0) + 1)
      }
    }
    const out = [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, c]) => `${k}=${c}`)
    return { checksum: createHash('sha256').update(out.join('\n'), 'utf8').digest('hex') }
  }
}
