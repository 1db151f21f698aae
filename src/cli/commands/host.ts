import type { Command } from 'commander'
import { hostCoresText } from '../../host/describe.js'
// GET /api/host: the server's own schema (types only, nothing of the server is loaded).
import type { Host } from '../../schemas/host.js'
import type { Context } from '../context.js'
import { safe, safeDocument, table } from '../format.js'
import { writeLine } from '../io.js'

type Runtime = Host['runtimes'][number]

export function hostCommand (program: Command, ctx: Context): void {
  program.command('host')
    .description('show the server\'s machine and the runtimes its jobs can run in (submit --runtime)')
    .option('--json', 'print the API answer as JSON')
    .action(async (opts: { json?: boolean }) => {
      const host = await ctx.client().get<Host>('/api/host')
      const out = ctx.io.stdout
      if (opts.json === true) return writeLine(out, safeDocument(JSON.stringify(host, null, 2)))
      writeLine(out, `${safe(host.hostname)} (${safe(host.id)})`)
      writeLine(out, `${safe(host.cpuModel)}, ${host.logicalCores} logical CPUs, ${Math.round(host.totalMemoryMb / 1024)} GB`)
      writeLine(out, safe(hostCoresText(host)))
      writeLine(out, safe(`${host.platform} ${host.arch} ${host.release}, corebench ${host.corebenchVersion}`))
      writeLine(out)
      out.write(table<Runtime>(host.runtimes ?? [{ id: 'node', available: true, reason: null, version: host.nodeVersion, executable: '', gil: null, workloads: [] }], [
        { header: 'runtime', value: r => r.id },
        { header: 'available', value: r => r.available ? 'yes' : 'no' },
        { header: 'version', value: r => r.version === '' ? '–' : r.version },
        { header: 'GIL', value: r => r.gil === null ? '–' : r.gil ? 'on' : 'off' },
        { header: 'workloads', align: 'right', value: r => String(r.workloads.length) },
        { header: 'interpreter, or why not', value: r => r.available ? r.executable : r.reason ?? '' }
      ]))
    })
}
