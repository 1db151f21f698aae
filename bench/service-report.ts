import type { ApiResult, GoalRow } from './api.js'
import { BUSY_CORES, type Stat } from './lib.js'
import type { Meta } from './report.js'
import type { DispatchMode, RunnerResult, SerialCondition } from './runner.js'
import { LOAD_SHEDDING_NOTE } from './service.js'
import type { StreamsResult } from './streams.js'

// Markdown for the service benchmarks (streams, api, runner); report.ts renders the executor ones.

export interface ServiceResults {
  streams?: StreamsResult
  api?: ApiResult
  runner?: RunnerResult
}

const f = (v: number, d = 1): string => Number.isFinite(v) ? v.toFixed(d) : 'n/a'
const range = (s: Stat, d = 1): string => `${f(s.median, d)} (${f(s.min, d)}–${f(s.max, d)})`
const yes = (met: boolean | null): string => met === null ? '—' : met ? 'yes' : '**no**'
const other = (s: Stat, redone: number): string => Number.isNaN(s.median) ? 'n/a' : `${f(s.median, 2)} / ${f(s.max, 2)} (${redone})`
const table = (head: string[], rows: string[][]): string =>
  [head, head.map(() => '---'), ...rows].map(r => `| ${r.join(' | ')} |`).join('\n')

/** The page header when only service suites ran (report.ts's header covers a run with executor suites). */
export function serviceHeader (m: Meta): string[] {
  return [
    '# corebench service benchmarks',
    '',
    `${m.date} · Node ${m.node} · os.availableParallelism() = ${m.cores} · ${m.cpu} · ${f(m.totalSeconds, 0)} s in all · ` +
      `other processes used ${f(m.otherCoresAtStart, 2)} cores in the 1 s before the start`,
    '',
    ...m.notes.map(n => `> ${n}`)
  ]
}

export function goalsOf (r: ServiceResults): GoalRow[] {
  return [...r.streams !== undefined ? streamGoals(r.streams) : [], ...r.api?.goals ?? [], ...r.runner?.goals ?? []]
}

function streamGoals (s: StreamsResult): GoalRow[] {
  const d = s.delivery
  return [
    { check: 'streams: job Σ run wallMs, 200 subscribers ÷ none (paired median)', value: `${f(s.wall.pairedRatio, 3)}× (medians: ${f(s.wall.ratio, 3)}×)`, goal: s.wall.goal, met: s.wall.met },
    { check: 'streams: job startedAt→finishedAt, 200 subscribers ÷ none (paired median)', value: `${f(s.span.pairedRatio, 3)}× (medians: ${f(s.span.ratio, 3)}×)`, goal: s.span.goal, met: s.span.met },
    { check: 'streams: sockets that got every lifecycle event exactly once', value: `${d.complete} of ${d.sockets}`, goal: 'all', met: d.complete === d.sockets },
    { check: 'streams: per-job sockets closed with 1000 after the terminal event', value: `${d.jobSocketsClosed1000} of ${d.jobSockets}`, goal: 'all', met: d.jobSocketsClosed1000 === d.jobSockets },
    { check: 'streams: seq out of order / gaps not explained by `dropped`', value: `${d.seqErrors} / ${d.unexplainedGaps}`, goal: '0 / 0', met: d.seqErrors === 0 && d.unexplainedGaps === 0 },
    { check: 'streams: progress msgs/s per socket, job.started→end (median / max over sockets)', value: `${f(s.progress.perSecMedian, 2)} / ${f(s.progress.perSecMax, 2)}`, goal: s.progress.goal, met: s.progress.met },
    { check: 'streams: progress msgs in the busiest 1 s (server `at`), max over sockets', value: String(s.progress.peak1sMax), goal: '≤ 10 (README: "at most 10 a second per job")', met: s.progress.peak1sMax <= 10 }
  ]
}

function runnerLoads (r: RunnerResult): number[] {
  return [...Object.values(r.dispatch.modes).flatMap(m => [...m.otherCores.quiet.runs, ...m.otherCores.loaded.runs]),
    ...Object.values(r.serialized.modes).flatMap(m => [...m.quiet.otherCores.runs, ...m.polled.otherCores.runs])]
}

export function serviceMarkdown (r: ServiceResults, m: Meta): string[] {
  const out: string[] = ['', `> ${LOAD_SHEDDING_NOTE}`]
  const loads = [
    ...r.streams !== undefined ? [...r.streams.otherCores.none.runs, ...r.streams.otherCores.subscribed.runs] : [],
    ...r.api?.rows.flatMap(x => x.otherCores.runs) ?? [],
    r.api?.submit.otherCores ?? 0,
    ...r.runner !== undefined ? runnerLoads(r.runner) : []
  ].filter(Number.isFinite)
  const busiest = Math.max(m.otherCoresAtStart, ...loads)
  if (busiest > BUSY_CORES) {
    out.push('>', `> **The machine was shared**: other processes used up to ${f(busiest, 2)} cores during some recorded service runs ` +
      `(${f(m.otherCoresAtStart, 2)} in the 1 s before the start); runs above ${BUSY_CORES} cores were redone up to 3 times while the redo budget lasted (counts in brackets).`)
  }
  const s = r.streams
  if (s !== undefined) {
    out.push('', `## 5. Streams: ${s.tasks} tasks, ${s.workload}; none vs ${s.subscribers.global} × /api/stream + ${s.subscribers.job} × /api/jobs/:id/stream`, '',
      `${s.jobs.none} + ${s.jobs.subscribed} recorded jobs after one unrecorded pair, interleaved (none, 200, 200, none, …). ` +
      'Subscribers run in a child process (ws 8), so the server thread pays only for the fan-out. ' +
      `Connecting the 200 sockets took ${range(s.openMs, 0)} ms.`, '',
      table(['measure', 'no subscribers', '200 subscribers', 'ratio of medians', 'paired ratio', 'goal', 'met'], [
        ['job Σ run wallMs', range(s.wall.none, 0), range(s.wall.subscribed, 0), `${f(s.wall.ratio, 3)}×`, `${f(s.wall.pairedRatio, 3)}×`, s.wall.goal, yes(s.wall.met)],
        ['job startedAt → finishedAt ms', range(s.span.none, 0), range(s.span.subscribed, 0), `${f(s.span.ratio, 3)}×`, `${f(s.span.pairedRatio, 3)}×`, s.span.goal, yes(s.span.met)],
        ['of which pool start-up ms (threaded, under tsx)', range(s.startupMs.none, 0), range(s.startupMs.subscribed, 0), `${f(s.startupMs.subscribed.median / s.startupMs.none.median, 3)}×`, '', '—', '—'],
        ['server thread busy ms, job.started → end (event-loop utilization)', `${range(s.eluActiveMs.none, 0)} (${f(s.elu.none.median, 2)})`, `${range(s.eluActiveMs.subscribed, 0)} (${f(s.elu.subscribed.median, 2)})`, `${f(s.eluActiveMs.subscribed.median / s.eluActiveMs.none.median, 3)}×`, '', '—', '—'],
        ['subscriber process CPU ms, connected → last terminal event (same 2 cores)', '—', range(s.clientCpuMs, 0), '', '', '—', '—'],
        ['API thread event-loop p99 ms (median of the runs)', range(s.loopP99Ms.none, 2), range(s.loopP99Ms.subscribed, 2), '', '', '—', '—'],
        ['other procs: cores med / max (redone)', other(s.otherCores.none, s.redone.none), other(s.otherCores.subscribed, s.redone.subscribed), '', '', '', '']
      ]), '',
      table(['delivery check (all subscribed jobs)', 'value', 'goal', 'met'], streamGoals(s).slice(2).map(g => [g.check.replace(/^streams: /, ''), g.value, g.goal, yes(g.met)])), '',
      `Progress messages dropped for slow clients: ${s.delivery.dropped}. Largest server \`at\` → client arrival delay of a lifecycle message: ${s.delivery.maxLagMs} ms.`)
    if (s.delivery.incomplete.length > 0) out.push('', 'Incomplete sockets (first 5): ' + s.delivery.incomplete.map(x => `${x.kind}: expected ${JSON.stringify(x.expected)}, got ${JSON.stringify(x.got)}`).join('; '))
  }
  const a = r.api
  if (a !== undefined) {
    out.push('', `## 6. API under load (autocannon in a child process, 127.0.0.1)`, '',
      `Closed loop: ${a.settings.connections} connections × ${a.settings.durationS} s; paced: ${a.settings.rate} req/s evenly spaced, open loop (fetch in the same child; latency from each request's scheduled time) × ${a.settings.rateDurationS} s; ` +
      `medians of ${a.settings.rounds} runs after a 1 s warm-up, sides interleaved. GET /api/jobs/:id serves a finished 2-cell job (${a.viewBytes} bytes). ` +
      '`loop p99`: monitorEventLoopDelay({ resolution: 5 }) of the server\'s thread (the app runs in the bench process) during each run. ' +
      '`cores`: our process tree (server thread + its workers + the generator) / the generator alone. ' +
      '`job tasks/s`: how fast the saturating job completed its fib(30) tasks during the run (its workers wait on the server thread for each next task).', '',
      table(['target', 'load', 'condition', 'job tasks/s', '2xx req/s (min–max)', 'p50 ms', 'p99 ms (min–max)', 'loop p99 ms (min–max)', 'loop max ms', 'non-2xx / errors', 'cores: ours / generator', 'other procs: cores med / max (redone)'],
        a.rows.map(x => [x.target, x.load, x.condition + (x.jobRunning === false ? ' (**job ended early**)' : ''), x.jobTasksPerSec === undefined ? '—' : range(x.jobTasksPerSec, 0), x.load === '—' ? '—' : range(x.okPerSec, 0), x.load === '—' ? '—' : f(x.p50Ms.median, 1),
          x.load === '—' ? '—' : range(x.p99Ms, 1), range(x.loopP99Ms, 2), f(x.loopMaxMs, 1), `${x.non2xx} / ${x.errors}`, `${f(x.ourCores, 2)} / ${f(x.generatorCores, 2)}`, other(x.otherCores, x.redone)])), '',
      `Submit → \`job.started\` on /api/stream (idle server, ${a.submit.samples.length} tiny jobs one at a time): median ${f(a.submit.startedMs.median, 1)} ms ` +
        `(${f(a.submit.startedMs.min, 1)}–${f(a.submit.startedMs.max, 1)}); the 202 came after ${f(a.submit.ackMs.median, 1)} ms; other processes used ${f(a.submit.otherCores, 2)} cores meanwhile.`)
  }
  if (r.runner !== undefined) out.push(...runnerMarkdown(r.runner))
  const goals = goalsOf(r)
  out.push('', '## Service goals', '', table(['check', 'value', 'goal', 'met'], goals.map(g => [g.check, g.value, g.goal, yes(g.met)])))
  const judged = goals.filter(g => g.met !== null)
  out.push('', `**Service goals met: ${judged.filter(g => g.met === true).length} of ${judged.length}.**`, '')
  return out
}

// The runner suite (runner.ts): inline vs child runner, side by side.
const codes = (c: Record<string, number>): string => Object.keys(c).length === 0 ? '' : ` (${Object.entries(c).map(([k, n]) => `${k}×${n}`).join(', ')})`
const MODE_NAMES = { inline: 'inline (before: runner on the API thread)', child: 'child (after: runner process)' }

export function runnerMarkdown (r: RunnerResult): string[] {
  const { settings: st, dispatch: d, serialized: s } = r
  const dRow = (name: string, m: DispatchMode): string[] => [
    name, range(m.quiet, 0), range(m.loaded, 0), `${f(m.ratio, 3)}× / ${f(m.pairedRatio, 3)}×`, `${m.runs.quiet} / ${m.runs.loaded} (${f(m.windowS.quiet)} / ${f(m.windowS.loaded)} s)`,
    `${range(m.reqPerSec, 0)}; ${m.non2xx}${codes(m.codes)} / ${m.errors}`, f(m.generatorCores, 2),
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
    `Each side: one job (up to 50 fresh-pool runs), a window quiet or under ${st.connections}-connection closed-loop autocannon GETs of /api/jobs/:id of that job, then cancelled. ` +
      `A window lasts ≥ ${st.windowS} s and until ${st.minRuns} run${st.minRuns === 1 ? '' : 's'} lay wholly in it, ≤ ${st.windowS * 3} s. ` +
      'tasks/s = tasks ÷ wallMs of the recorded runs that started and finished inside the window (median per window; table: median (min–max) over rounds). ' +
      'Ratio: loaded ÷ quiet of the medians / median of the per-round ratios.', '',
    table(['runner', 'tasks/s quiet', `tasks/s under ${st.connections}-conn GET load`, 'loaded ÷ quiet (medians / paired)', 'runs counted quiet / loaded (window s, median)', 'GET 2xx/s; non-2xx / errors', 'generator cores', 'other procs quiet', 'other procs loaded'],
      [dRow(MODE_NAMES.inline, d.modes.inline), dRow(MODE_NAMES.child, d.modes.child)]), '',
    `child ÷ inline tasks/s (medians): quiet ${f(d.childOverInline.quiet, 3)}×, under load ${f(d.childOverInline.loaded, 3)}×.`
  ]
  const uncovered = d.modes.inline.uncovered + d.modes.child.uncovered
  if (uncovered > 0) out.push('', `**${uncovered} window(s) outlived the job** (it ended before the window closed): the job needs more repetitions for this window length.`)
  const empty = [d.modes.inline, d.modes.child].some(m => m.quiet.runs.some(Number.isNaN) || m.loaded.runs.some(Number.isNaN))
  if (empty) out.push('', '**Some windows held no complete run** (n/a): the machine is too slow or too busy for these windows (`--quick` has the shortest).')
  const { inline, child } = s.modes
  out.push('', `### Serialized CPU cell: ${s.tasks} × ${s.workload}, ${s.repetitions} repetitions, warmup 1`, '',
    `Each side: one job from submit to its end, quiet or while ${st.pollers} clients poll GET /api/jobs/:id back to back (fetch loops in the child) for the whole job. ` +
      'Busy cores = the runs\' `busyCores` (the tasks\' own CPU ÷ wall); ' +
      `median / max over all ${s.repetitions} × ${st.rounds} recorded runs. CPU and wall: median (min–max) over the same runs. ` +
      `Product goal: busy cores ≤ 1.03 and CPU within ±10 % in child mode; inline mode is expected to miss it (its API work is counted as the job's).`, '',
    table(['runner', 'condition', 'busy cores med / max', 'CPU ms per run (user+sys)', 'wall ms per run', 'polled − quiet CPU; poll 2xx/s', 'other procs'], [
      sRow(MODE_NAMES.inline, 'quiet', inline.quiet, '—'),
      sRow(MODE_NAMES.inline, `${st.pollers} pollers`, inline.polled, `${f(inline.cpuDiffPct, 1)} %; ${range(inline.pollPerSec, 0)} (${inline.pollErrors} failed${codes(inline.pollCodes)})`),
      sRow(MODE_NAMES.child, 'quiet', child.quiet, '—'),
      sRow(MODE_NAMES.child, `${st.pollers} pollers`, child.polled, `${f(child.cpuDiffPct, 1)} %; ${range(child.pollPerSec, 0)} (${child.pollErrors} failed${codes(child.pollCodes)})`)
    ]), '',
    'Busy cores are the tasks\' own CPU (taskCpuMs, read per worker thread) over wall time; the CPU column is what the run cost its process (user + system, every thread), which in inline mode includes the API\'s work.')
  return out
}
