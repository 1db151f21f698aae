// The JSON-lines protocol between Node and the Python harness (python/corebench_harness/protocol.py
// has the other end and the line-by-line description). Every line from the harness is validated
// here before anything trusts it: the harness is another program, and may be the wrong one.
import { Type, type Static, type TInteger, type TSchema } from '@sinclair/typebox'
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'
import type { ExecutorKind } from '../../executors/types.js'

/** 2: a run's per-task data comes in `tasks` lines of at most TASKS_PER_LINE tasks, before its run line. */
export const PROTOCOL_VERSION = 2
/** The harness's TASKS_PER_LINE (session.py): what keeps every line small, whatever `tasks` is. */
export const MAX_TASKS_PER_LINE = 1024

/** The workloads the harness implements, in its order (a test checks this against the harness). */
export const PYTHON_WORKLOADS = [
  'fibonacci', 'sum-range', 'primes', 'matmul', 'hash', 'text-analysis', 'json-roundtrip', 'sqrt-array',
  'sleep', 'file-io', 'shared-counter'
] as const
export type PythonWorkloadId = typeof PYTHON_WORKLOADS[number]

/** What Node writes on the harness's stdin, as one line. */
export interface HarnessPlan {
  protocol: typeof PROTOCOL_VERSION
  workload: string
  params: Record<string, unknown>
  tasks: number
  executor: ExecutorKind
  workers: number
  warmup: number
  tmpDir: string
  startupTimeoutMs: number
  startMethod?: 'spawn' | 'fork' | 'forkserver'
  /** A package workload's Python twin: the absolute path its runner resolved and checked (never from a request). */
  module?: string
}

const Int = (min = 0): TInteger => Type.Integer({ minimum: min })
const Stamps = Type.Array(Type.Number())

export const HelloLine = Type.Object({
  type: Type.Literal('hello'),
  protocol: Type.Literal(PROTOCOL_VERSION),
  python: Type.String(),
  implementation: Type.String(),
  gil: Type.Boolean(),
  pid: Int(1),
  workloads: Type.Array(Type.String())
})

export const ProgressLine = Type.Object({
  type: Type.Literal('progress'),
  phase: Type.Union([Type.Literal('startup'), Type.Literal('run'), Type.Literal('shutdown')]),
  run: Int(),
  done: Int(),
  oldestRunningMs: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
  oldestTask: Type.Union([Int(), Type.Null()])
})

export const PoolLine = Type.Object({
  type: Type.Literal('pool'),
  startupMs: Type.Number({ minimum: 0 }),
  pids: Type.Array(Int(1)),
  startMethod: Type.Union([Type.String(), Type.Null()]),
  /** The smallest span the harness's monotonic clock tells from nothing (back-to-back reads). */
  clockStepMs: Type.Number({ exclusiveMinimum: 0 })
})

/**
 * Tasks [from, from + checksums.length) of run `run`, in order: a run of 300 000 tasks as one line
 * would be tens of MB, which no reader should have to hold and parse in one piece.
 */
export const TasksLine = Type.Object({
  type: Type.Literal('tasks'),
  run: Int(),
  from: Int(),
  checksums: Type.Array(Type.String(), { minItems: 1, maxItems: MAX_TASKS_PER_LINE }),
  times: Type.Object({ dispatchedAt: Stamps, startedAt: Stamps, endedAt: Stamps, receivedAt: Stamps, runMs: Type.Array(Type.Number({ minimum: 0 })) })
})

/** Comes after every `tasks` line of its run. */
export const RunOkLine = Type.Object({
  type: Type.Literal('run'),
  run: Int(),
  warmup: Type.Boolean(),
  ok: Type.Literal(true),
  tasks: Int(1),
  startedAt: Type.Number(),
  endedAt: Type.Number(),
  startupMs: Type.Number({ minimum: 0 }),
  cpuUserMs: Type.Number({ minimum: 0 }),
  cpuSystemMs: Type.Number({ minimum: 0 }),
  peakRssBytes: Type.Number({ minimum: 0 }),
  bytesToWorkers: Type.Number({ minimum: 0 }),
  bytesFromWorkers: Type.Number({ minimum: 0 }),
  serialization: Type.String(),
  shared: Type.Optional(Type.Object({ arrived: Type.Integer(), memorySpaces: Int(1) }))
})

export const RunFailLine = Type.Object({
  type: Type.Literal('run'),
  run: Int(),
  warmup: Type.Boolean(),
  ok: Type.Literal(false),
  code: Type.String({ pattern: '^COREBENCH_ERR_[A-Z_]+$' }),
  error: Type.String(),
  task: Type.Union([Int(), Type.Null()])
})

export type HelloLine = Static<typeof HelloLine>
export type ProgressLine = Static<typeof ProgressLine>
export type PoolLine = Static<typeof PoolLine>
export type TasksLine = Static<typeof TasksLine>
export type RunOkLine = Static<typeof RunOkLine>
export type RunFailLine = Static<typeof RunFailLine>
export type HarnessLine = HelloLine | ProgressLine | PoolLine | TasksLine | RunOkLine | RunFailLine

export type Parsed = { ok: true, line: HarnessLine } | { ok: false, reason: string }

// Compiled once: checking a line of 1 024 tasks this way takes microseconds, the interpreted
// Value.Errors walk ~100× longer.
const compiled = (schema: TSchema): TypeCheck<TSchema> => TypeCompiler.Compile(schema)
const checks = { hello: compiled(HelloLine), progress: compiled(ProgressLine), pool: compiled(PoolLine), tasks: compiled(TasksLine), runOk: compiled(RunOkLine), runFail: compiled(RunFailLine) }

function checkOf (raw: Record<string, unknown>): TypeCheck<TSchema> | undefined {
  switch (raw.type) {
    case 'hello': return checks.hello
    case 'progress': return checks.progress
    case 'pool': return checks.pool
    case 'tasks': return checks.tasks
    case 'run': return raw.ok === false ? checks.runFail : checks.runOk
    default: return undefined
  }
}

/** Parses and validates one stdout line; the reason names the first thing that is wrong. */
export function parseLine (text: string): Parsed {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return { ok: false, reason: `a line that is not JSON: ${excerpt(text)}` }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, reason: `a line that is not a JSON object: ${excerpt(text)}` }
  const check = checkOf(raw as Record<string, unknown>)
  if (check === undefined) return { ok: false, reason: `a line of unknown type ${JSON.stringify((raw as { type?: unknown }).type) ?? 'undefined'}: ${excerpt(text)}` }
  if (!check.Check(raw)) {
    const error = check.Errors(raw).First()
    return { ok: false, reason: `an invalid ${(raw as { type: string }).type} line (${error?.path || '/'}: ${error?.message ?? 'invalid'}): ${excerpt(text)}` }
  }
  const line = raw as HarnessLine
  if (line.type === 'tasks') return checkTasks(line, text)
  if (line.type === 'run' && line.ok && line.endedAt < line.startedAt) return { ok: false, reason: `a run line that ends (${line.endedAt}) before it starts (${line.startedAt})` }
  return { ok: true, line }
}

// What a schema cannot say: every per-task array has one entry per task, and time runs forward.
function checkTasks (line: TasksLine, text: string): Parsed {
  const n = line.checksums.length
  for (const [name, values] of Object.entries(line.times)) {
    if (values.length !== n) return { ok: false, reason: `a tasks line whose times.${name} has ${values.length} entries for ${n} checksums: ${excerpt(text)}` }
  }
  const { startedAt, endedAt } = line.times
  for (let i = 0; i < n; i++) {
    if ((endedAt[i] as number) < (startedAt[i] as number)) return { ok: false, reason: `a tasks line where task ${line.from + i} ends before it starts` }
  }
  return { ok: true, line }
}

function excerpt (text: string): string {
  const t = text.length > 200 ? `${text.slice(0, 197)}...` : text
  return JSON.stringify(t)
}
