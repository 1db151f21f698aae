import type { Stat } from './lib.js'
import type { DispatchMode, RunnerResult, SerialCondition } from './runner.js'

// Markdown of the runner suite (runner.ts), one section of service-report.ts's page.

const f = (v: number, d = 1): string => Number.isFinite(v) ? v.toFixed(d) : 'n/a'
const range = (s: Stat, d = 1): string => `${f(s.median, d)} (${f(s.min, d)}–${f(s.max, d)})`
const other = (s: Stat, redone: number): string => Number.isNaN(s.median) ? 'n/a' : `${f(s.median, 2)} / ${f(s.max, 2)} (${redone})`
const table = (head: string[], rows: string[][]): string =>
  [head, head.map(() => '---'), ...rows].map(r => `| ${r.join(' | ')} |`).join('\n')

const MODE_NAMES = { inline: 'inline (before: runner on the API thread)', child: 'child (after: runner process)' }

export function runnerMarkdown (r: RunnerResult): string[] {
  const { settings: st, dispatch: d, serialized: s } = r
  const dRow = (name: string, m: DispatchMode): string[] => [
    name, range(m.quiet, 0), range(m.loaded, 0), `${f(m.ratio, 3)}× / ${f(m.pairedRatio, 3)}×`, `${m.runs.quiet} / ${m.runs.loaded}`,
    `${range(m.reqPerSec, 0)}; ${m.non2xx} / ${m.errors}`, f(m.generatorCores, 2),
    other(m.otherCores.quiet, m.redone.quiet), other(m.otherCores.loaded, m.redone.loaded)
  ]
  const sRow = (name: string, condition: string, c: SerialCondition, extra: string): string[] => [
    name, condition, `${f(c.busyCores.median, 3)} / ${f(c.busyCores.max, 3)}`, range(c.cpuMs, 0), range(c.wallMs, 0), extra, other(c.otherCores, c.redone)
  ]
  const out = [
    '', `## 7. Runner: inline (before issue 13) vs child process (after), side by side`, '',
    `os.availableParallelism() = ${st.cores}. Both apps run in the bench process for the whole suite; in \`inline\` mode the runner shares the API's event loop, ` +
      'in `child` mode it is a supervised child process and the API only relays its events. Every measurement alternates between the modes ' +
      `(${st.rounds} recorded round${st.rounds === 1 ? '' : 's'} after an unrecorded warm-up round, order reversed every other round). ` +
      'Loads come from a forked child process. `other procs`: cores other processes kept busy meanwhile (bench/load.ts), median / max (runs redone because of it).', '',
    `### Dispatch-bound job: ${d.tasks} × ${d.workload}, threaded 2, warmup 0`, '',
    `Each side: one job (up to 50 fresh-pool runs), a ${st.windowS} s window quiet or under ${st.connections}-connection closed-loop autocannon GETs of /api/jobs/:id of that job, then cancelled. ` +
      'tasks/s = tasks ÷ wallMs of the recorded runs that started and finished inside the window (median per window; table: median (min–max) over rounds). ' +
      'Ratio: loaded ÷ quiet of the medians / median of the per-round ratios.', '',
    table(['runner', 'tasks/s quiet', `tasks/s under ${st.connections}-conn GET load`, 'loaded ÷ quiet (medians / paired)', 'runs counted quiet / loaded', 'GET 2xx/s; non-2xx / errors', 'generator cores', 'other procs quiet', 'other procs loaded'],
      [dRow(MODE_NAMES.inline, d.modes.inline), dRow(MODE_NAMES.child, d.modes.child)]), '',
    `child ÷ inline tasks/s (medians): quiet ${f(d.childOverInline.quiet, 3)}×, under load ${f(d.childOverInline.loaded, 3)}×.`
  ]
  const uncovered = d.modes.inline.uncovered + d.modes.child.uncovered
  if (uncovered > 0) out.push('', `**${uncovered} window(s) outlived the job** (it ended before the window closed): the job needs more repetitions for this window length.`)
  const empty = [d.modes.inline, d.modes.child].some(m => m.quiet.runs.some(Number.isNaN) || m.loaded.runs.some(Number.isNaN))
  if (empty) out.push('', '**Some windows held no complete run** (n/a): lengthen the window (no `--quick`).')
  const { inline, child } = s.modes
  out.push('', `### Serialized CPU cell: ${s.tasks} × ${s.workload}, ${s.repetitions} repetitions, warmup 1`, '',
    `Each side: one job from submit to its end, quiet or while ${st.pollers} clients poll GET /api/jobs/:id back to back (fetch loops in the child) for the whole job. ` +
      'Busy cores = the runs\' `parallelism` (CPU ÷ wall, the CPU of the process that runs the job: the bench process in inline mode, the runner child in child mode); ' +
      `median / max over all ${s.repetitions} × ${st.rounds} recorded runs. CPU and wall: median (min–max) over the same runs. ` +
      `Product goal: busy cores ≤ 1.03 and CPU within ±10 % in child mode; inline mode is expected to miss it (its API work is counted as the job's).`, '',
    table(['runner', 'condition', 'busy cores med / max', 'CPU ms per run (user+sys)', 'wall ms per run', 'polled − quiet CPU; poll 2xx/s', 'other procs'], [
      sRow(MODE_NAMES.inline, 'quiet', inline.quiet, '—'),
      sRow(MODE_NAMES.inline, `${st.pollers} pollers`, inline.polled, `${f(inline.cpuDiffPct, 1)} %; ${range(inline.pollPerSec, 0)} (${inline.pollErrors} failed)`),
      sRow(MODE_NAMES.child, 'quiet', child.quiet, '—'),
      sRow(MODE_NAMES.child, `${st.pollers} pollers`, child.polled, `${f(child.cpuDiffPct, 1)} %; ${range(child.pollPerSec, 0)} (${child.pollErrors} failed)`)
    ]), '',
    'The runs record no separate coordinator share yet (src/measure/measure-run.ts counts the whole process), so it is not shown apart.')
  return out
}
