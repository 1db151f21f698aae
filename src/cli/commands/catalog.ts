import type { Command } from 'commander'
import type { Workload } from '../../schemas/catalog.js'
import type { Context } from '../context.js'
import { safe, safeDocument, table } from '../format.js'
import { writeLine } from '../io.js'

interface Preset { id: string, description: string, spec: { workload?: { id: string, params?: Record<string, unknown> }, tasks?: number, runtimes?: string[], executors?: string[], workers?: number[], repetitions?: number } }

const params = (p: Record<string, unknown> | undefined): string => Object.entries(p ?? {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')

export function presetsCommand (program: Command, ctx: Context): void {
  program.command('presets')
    .description('list the ready-made specs (submit one with `corebench submit --preset NAME`)')
    .option('--json', 'print the API answer as JSON')
    .action(async (opts: { json?: boolean }) => {
      const presets = await ctx.client().get<Preset[]>('/api/presets')
      if (opts.json === true) return writeLine(ctx.io.stdout, safeDocument(JSON.stringify(presets, null, 2)))
      ctx.io.stdout.write(table(presets, [
        { header: 'preset', value: p => p.id },
        { header: 'workload', value: p => `${p.spec.workload?.id ?? ''} ${params(p.spec.workload?.params)}`.trim() },
        { header: 'tasks', align: 'right', value: p => String(p.spec.tasks ?? '') },
        { header: 'runtimes', value: p => (p.spec.runtimes ?? ['node']).join(',') },
        { header: 'executors', value: p => (p.spec.executors ?? []).join(',') },
        { header: 'workers', value: p => (p.spec.workers ?? []).join(',') },
        { header: 'description', value: p => p.description }
      ]))
    })
}

export function workloadsCommand (program: Command, ctx: Context): void {
  program.command('workloads')
    .description('list the workloads (built-in, and those runners loaded from WORKLOADS) with their parameters and defaults')
    .option('--json', 'print the API answer as JSON, with each parameter\'s JSON Schema and bounds')
    .action(async (opts: { json?: boolean }) => {
      const workloads = await ctx.client().get<Workload[]>('/api/workloads')
      if (opts.json === true) return writeLine(ctx.io.stdout, safeDocument(JSON.stringify(workloads, null, 2)))
      // Runtimes the workload runs in; a star marks those this server lacks (corebench host says why).
      const runtimes = (w: Workload): string => w.runtimes.map(r => r.available ? r.id : `${r.id}*`).join(',')
      // Package workloads name where they come from; a server with only built-ins keeps the short table.
      const origin = workloads.some(w => w.source !== 'builtin')
        ? [{ header: 'source and version', value: (w: Workload) => w.source === 'builtin' ? 'builtin' : w.available ? `${safe(w.source)} ${safe(w.version)}` : `unavailable: ${safe(w.reason ?? '')}` }]
        : []
      ctx.io.stdout.write(table(workloads, [
        { header: 'workload', value: w => w.id },
        { header: 'kind', value: w => w.kind + (w.sharedMemory ? ', shared memory' : '') },
        ...origin,
        { header: 'params (defaults)', value: w => params(w.defaults) },
        { header: 'runtimes', value: runtimes },
        { header: 'description', value: w => w.description }
      ]))
      if (workloads.some(w => w.runtimes?.some(r => !r.available) === true)) writeLine(ctx.io.stdout, '\n* not available on this server (corebench host says why)')
    })
}
