import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { jobPath } from '../client.js'
import { collectRuntimes, collectTags, type Context } from '../context.js'
import { safe } from '../format.js'
import { CliError, writeLine } from '../io.js'
import { renderSummary, type JobView } from '../views.js'
import { watchJob } from '../watch.js'
import { RUNTIME_IDS } from '../../runtimes/ids.js'

interface Options { preset?: string, name?: string, runtime: string[], tag: string[], watch?: boolean }
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
    .addHelpText('after', '\nWithout --watch only the job id is printed, so that ID=$(corebench submit spec.json) works.\nExample: corebench submit --preset gil-cpu --runtime node,python --watch')
    .action(async (file: string | undefined, opts: Options) => {
      if (file === undefined && opts.preset === undefined) throw new CliError('submit needs a spec file or --preset NAME (corebench presets lists them)', 'EUSAGE')
      const body: Record<string, unknown> = file === undefined ? {} : await readSpec(file)
      if (opts.preset !== undefined) body.preset = opts.preset
      if (opts.name !== undefined) body.name = opts.name
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
