import { readFile } from 'node:fs/promises'
import { InvalidArgumentError, type Command } from 'commander'
import { jobPath } from '../client.js'
import { collectRuntimes, collectTags, type Context } from '../context.js'
import { safe } from '../format.js'
import { CliError, writeLine } from '../io.js'
import { renderSummary, type JobView } from '../views.js'
import { watchJob } from '../watch.js'
import { RUNTIME_IDS } from '../../schemas/vocabulary.js'

interface Options {
  preset?: string
  name?: string
  runtime: string[]
  tag: string[]
  watch?: boolean
  workload?: string
  tasks?: number
  workers?: number[]
  executor: string[]
  repetitions?: number
  warmup?: number
  param: Array<[string, unknown]>
}
interface Accepted { id: string, status: string, warnings: string[] }

export function submitCommand (program: Command, ctx: Context): void {
  program.command('submit')
    .description('submit a job: a spec file, a preset, or a preset with the file\'s fields as overrides')
    .argument('[spec]', 'a JSON job spec (README "A job"; GET /api/workloads lists the parameters)')
    .option('-p, --preset <name>', 'start from a ready-made spec (corebench presets)')
    .option('--name <name>', 'the job\'s name')
    .option('-r, --runtime <id>', 'run every executor in this runtime too: node, python or python-nogil (repeatable, or a comma list; default node; corebench host lists what the server has)', collectRuntimes, [])
    .option('-t, --tag <key:value>', 'a tag such as branch:main or commit:abc123 (repeatable)', collectTags, [])
    .option('-w, --watch', 'follow the job: progress per cell, then the summary table; exits non-zero unless it finishes')
    .option('--workload <id>', 'the workload (corebench workloads lists them)')
    .option('--param <key=value>', 'a workload parameter such as n=32 (repeatable; numbers and true/false are typed)', collectParam, [])
    .option('--tasks <n>', 'tasks per run', positiveInt('--tasks'))
    .option('--workers <list>', 'worker counts of the pool executors, e.g. 1,2,4', workerList)
    .option('-e, --executor <kind>', 'serialized, async, threaded or process (repeatable, or a comma list)', collectList, [])
    .option('--repetitions <n>', 'recorded runs per cell, each on a fresh pool (6 or more for intervals)', positiveInt('--repetitions'))
    .option('--warmup <n>', 'unrecorded warm-up runs on each fresh pool before its recorded run', nonNegativeInt('--warmup'))
    .addHelpText('after', '\nWithout --watch only the job id is printed, so that ID=$(corebench submit spec.json) works.\nFlags override the spec file and the preset.\nExamples:\n  corebench submit --preset gil-cpu --runtime node,python --watch\n  corebench submit examples/fib.json --tasks 16 --workers 1,2 --repetitions 6 --param n=30')
    .action(async (file: string | undefined, opts: Options) => {
      if (file === undefined && opts.preset === undefined && opts.workload === undefined) throw new CliError('submit needs a spec file, --preset NAME (corebench presets lists them) or --workload ID', 'EUSAGE')
      const body: Record<string, unknown> = file === undefined ? {} : await readSpec(file)
      if (opts.preset !== undefined) body.preset = opts.preset
      if (opts.name !== undefined) body.name = opts.name
      // --param alone on a preset: the API merges params of the same workload, so name the preset's.
      const needsPresetWorkload = opts.param.length > 0 && opts.workload === undefined && body.workload === undefined && opts.preset !== undefined
      const presetWorkload = needsPresetWorkload ? (await ctx.client().get<Array<{ id: string, spec: { workload?: { id: string } } }>>('/api/presets')).find(p => p.id === opts.preset)?.spec.workload?.id : undefined
      applyFlags(body, opts, presetWorkload)
      if (opts.runtime.length > 0) body.runtimes = checkRuntimes(opts.runtime)
      if (opts.tag.length > 0) {
        const tags = { ...(body.tags as Record<string, string> | undefined) }
        for (const t of opts.tag) tags[t.slice(0, t.indexOf(':'))] = t.slice(t.indexOf(':') + 1)
        body.tags = tags
      }
      const client = ctx.client()
      const accepted = await client.json<Accepted>('POST', '/api/jobs', body)
      for (const w of accepted.warnings) writeLine(ctx.io.stderr, `corebench: warning: ${safe(w)}`)
      if (opts.watch !== true) {
        writeLine(ctx.io.stdout, accepted.id)
        return
      }
      const end = await watchJob(client, accepted.id, { bars: ctx.io.stdout.isTTY === true, out: ctx.io.stdout, signal: ctx.signal })
      const job = await client.get<JobView>(jobPath(accepted.id))
      writeLine(ctx.io.stdout)
      ctx.io.stdout.write(renderSummary(job))
      if (job.status !== 'finished') {
        throw new CliError(`job ${job.id} ${job.status}${job.error === null ? '' : `: ${job.error}`}`, `JOB_${job.status.toUpperCase()}`)
      }
      if (end.type !== 'job.finished') throw new CliError(`job ${job.id} ended with ${end.type}`, 'JOB_FAILED')
    })
}

async function readSpec (file: string): Promise<Record<string, unknown>> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new CliError(`cannot read the spec file ${file}: ${(err as Error).message}`, (err as NodeJS.ErrnoException).code ?? 'EIO')
  }
  let spec: unknown
  try {
    spec = JSON.parse(text)
  } catch (err) {
    throw new CliError(`${file} is not valid JSON: ${(err as Error).message}`, 'EUSAGE')
  }
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) throw new CliError(`${file} must hold a JSON object (a job spec)`, 'EUSAGE')
  return spec as Record<string, unknown>
}

/** The ids the API takes, checked here so that a typo gets a usage line rather than a schema message. */
function checkRuntimes (ids: string[]): string[] {
  const bad = ids.find(id => !(RUNTIME_IDS as readonly string[]).includes(id))
  if (bad !== undefined) throw new CliError(`--runtime ${JSON.stringify(bad)} is not a runtime: use ${RUNTIME_IDS.join(', ')} (corebench host says which the server has)`, 'EUSAGE')
  return ids
}

/** The flags over the file's fields: a flag the user typed wins. Workload params merge key by key. */
function applyFlags (body: Record<string, unknown>, opts: Options, presetWorkload: string | undefined): void {
  const fromFile = body.workload as { id?: string, params?: Record<string, unknown> } | undefined
  if (opts.workload !== undefined || opts.param.length > 0) {
    const id = opts.workload ?? fromFile?.id ?? presetWorkload
    if (id === undefined) throw new CliError('--param needs a workload: give --workload ID, a spec file or a preset', 'EUSAGE')
    const keep = fromFile?.id === id ? fromFile.params : undefined
    body.workload = { id, params: { ...keep, ...Object.fromEntries(opts.param) } }
  }
  if (opts.tasks !== undefined) body.tasks = opts.tasks
  if (opts.workers !== undefined) body.workers = opts.workers
  if (opts.executor.length > 0) body.executors = opts.executor
  if (opts.repetitions !== undefined) body.repetitions = opts.repetitions
  if (opts.warmup !== undefined) body.warmup = opts.warmup
}

function positiveInt (flag: string): (v: string) => number {
  return (v) => {
    const n = Number(v)
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} takes a whole number of 1 or more, got ${JSON.stringify(v)}`)
    return n
  }
}

function nonNegativeInt (flag: string): (v: string) => number {
  return (v) => {
    const n = Number(v)
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${flag} takes a whole number of 0 or more, got ${JSON.stringify(v)}`)
    return n
  }
}

function workerList (v: string): number[] {
  return v.split(',').map(s => positiveInt('--workers')(s.trim()))
}

function collectList (v: string, previous: string[] = []): string[] {
  return [...new Set([...previous, ...v.split(',').map(s => s.trim()).filter(s => s !== '')])]
}

/** `n=30` → ['n', 30]; `atomic=false` → ['atomic', false]; anything else stays a string. */
function collectParam (v: string, previous: Array<[string, unknown]> = []): Array<[string, unknown]> {
  const i = v.indexOf('=')
  if (i <= 0) throw new InvalidArgumentError(`--param takes key=value, got ${JSON.stringify(v)}`)
  const raw = v.slice(i + 1)
  const value = raw === 'true' ? true : raw === 'false' ? false : raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw
  return [...previous, [v.slice(0, i), value]]
}
