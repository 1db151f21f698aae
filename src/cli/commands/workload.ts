import { resolve } from 'node:path'
import type { Command } from 'commander'
import type { Context } from '../context.js'
import { CliError, writeLine } from '../io.js'
import { badName, scaffold } from '../workload/scaffold.js'

interface InitOptions { scope: string, dir?: string }

/** `corebench workload init NAME` and `corebench workload check DIR`: for workload authors, no server needed. */
export function workloadCommand (program: Command, ctx: Context): void {
  const workload = program.command('workload')
    .description('write your own workloads: scaffold a package, check one as a runner would load it')

  workload.command('init')
    .argument('<name>', 'the package and workload name (lowercase letters, digits, -)')
    .description('create a workload package in ./NAME: the JS module with its params schema, its Python twin, a test, a README')
    .option('--scope <scope>', 'the first half of the workload id (SCOPE/NAME), e.g. your team', 'local')
    .option('--dir <dir>', 'where to create it (default: ./NAME); must not exist or be empty')
    .action(async (name: string, opts: InitOptions) => {
      const bad = badName('name', name) ?? badName('--scope', opts.scope)
      if (bad !== null) throw new CliError(bad, 'EUSAGE')
      const dir = resolve(opts.dir ?? name)
      let files: string[]
      try {
        files = await scaffold(dir, opts.scope, name)
      } catch (err) {
        throw new CliError((err as Error).message, 'EEXIST')
      }
      writeLine(ctx.io.stdout, `created workload ${opts.scope}/${name} in ${dir}: ${files.join(', ')}`)
      writeLine(ctx.io.stdout, `next: cd ${dir} && npm test && corebench workload check . ; then run the runner with WORKLOADS=${dir}`)
    })

  workload.command('check')
    .argument('<dir>', 'the package directory (with its package.json)')
    .description('load and validate a workload package as a runner does, then run one task of each workload in Node and (with a twin) Python: CI for workload authors')
    .option('--python <command>', 'the Python interpreter for the twins (default: $PYTHON, else python3; "off" skips them)')
    .action(async (dir: string, opts: { python?: string }) => {
      // Imported here: the executors and the workload loader are not for every CLI command to load.
      const { checkWorkloadPackage, WorkloadCheckError } = await import('../workload/check.js')
      let checked
      try {
        checked = await checkWorkloadPackage(dir, opts.python ?? ctx.io.env.PYTHON ?? 'python3')
      } catch (err) {
        if (err instanceof WorkloadCheckError) throw new CliError(err.message, 'EWORKLOAD')
        throw err
      }
      for (const c of checked) {
        const d = c.workload.description
        const python = c.python !== null ? (d.deterministic ? 'python: same checksum' : 'python: ran (not deterministic: checksums not compared)') : `python: skipped, ${c.pythonSkipped ?? ''}`
        writeLine(ctx.io.stdout, `ok ${d.id} ${d.version}: node run checksum ${c.node}; ${python}`)
      }
      writeLine(ctx.io.stdout, `${checked.length} workload(s) ready: start a runner with WORKLOADS=${resolve(dir)}`)
    })
}
