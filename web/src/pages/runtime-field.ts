// The submit form's runtime picker, from GET /api/host runtimes: one checkbox per runtime this
// server knows, the unavailable ones disabled with the server's reason, and a live note when the
// chosen workload does not run in a chosen runtime (the API would refuse it with a 400 on `runtimes`).
import { h, replace } from '../dom.js'
import { RUNTIME_IDS, type RuntimeId } from '../../../src/schemas/vocabulary.js'
import type { RuntimeInfo } from '../../../src/schemas/host.js'
import type { Workload } from '../../../src/schemas/catalog.js'
import { describeRuntime } from '../ui.js'

export interface RuntimeField {
  element: HTMLElement
  /** The ticked runtimes, in the server's order. */
  selected: () => RuntimeId[]
  /** Ticks exactly these (a preset); says which of them this host cannot run. */
  set: (ids: readonly string[]) => void
  /** Re-checks the chosen runtimes against the workload (call when either changes). */
  check: (w: Workload | undefined) => void
  /** Where focus goes when the API names `runtimes`. */
  control: () => HTMLElement | undefined
}

export function runtimeField (runtimes: readonly RuntimeInfo[], slotId: string, onChange: () => void): RuntimeField {
  // A server that lists no runtimes (an older one) runs Node only.
  const list = runtimes.length > 0 ? runtimes : [{ id: 'node', available: true, reason: null, version: '', executable: '', gil: null, workloads: [] }]
  const boxes = list.map(r => h('input', {
    type: 'checkbox',
    id: `f-runtime-${r.id}`,
    name: 'runtimes',
    value: r.id,
    checked: r.id === 'node' && r.available,
    disabled: !r.available,
    'aria-describedby': `hint-runtime-${r.id}`
  }))
  for (const b of boxes) b.addEventListener('change', onChange)
  const note = h('p', { class: 'alert warn', id: 'runtime-support', hidden: true })
  const slot = h('p', { class: 'field-error', id: slotId, role: 'alert' })
  const element = h('fieldset', { class: 'field runtimes', 'data-field': 'runtimes', 'aria-describedby': `${slotId} runtime-support` },
    h('legend', null, 'Runtimes'),
    h('ul', { class: 'runtime-list', id: 'host-runtimes' }, list.map((r, i) => h('li', { class: r.available ? '' : 'unavailable', 'data-runtime': r.id },
      h('label', { class: 'check' }, boxes[i] as HTMLInputElement, ` ${r.id}`),
      h('span', { class: 'hint', id: `hint-runtime-${r.id}` }, describeRuntime(r))))),
    h('p', { class: 'hint' }, 'Every executor runs in each chosen runtime; speedups are against the serialized run of the same runtime.'),
    note,
    slot)

  const selected = (): RuntimeId[] => {
    const ticked = new Set(boxes.filter(b => b.checked && !b.disabled).map(b => b.value))
    return RUNTIME_IDS.filter(r => ticked.has(r))
  }
  return {
    element,
    selected,
    set (ids) {
      for (const b of boxes) b.checked = !b.disabled && ids.includes(b.value)
      const missing = ids.filter(id => boxes.find(b => b.value === id)?.disabled !== false)
      slot.textContent = missing.length === 0 ? '' : `runtimes: this host cannot run ${missing.join(', ')}; the job runs in the others`
    },
    check (w) {
      const supported = new Set(w?.runtimes.map(r => r.id))
      const unsupported = w === undefined ? [] : selected().filter(r => !supported.has(r))
      note.hidden = unsupported.length === 0
      replace(note, unsupported.length === 0
        ? null
        : [h('code', null, w?.id ?? ''), ` does not run in ${unsupported.join(', ')} (it runs in ${[...supported].join(', ') || 'no runtime'}): the server will refuse the job. Pick another workload or untick ${unsupported.length > 1 ? 'those runtimes' : 'that runtime'}.`])
    },
    control: () => boxes.find(b => !b.disabled)
  }
}

/**
 * `fibonacci (cpu)`, plus where it runs when the host has more than one runtime to choose from; a
 * package workload (WORKLOADS) also names its source and version, or that no runner can run it.
 */
export function workloadOption (w: Workload, runtimes: readonly RuntimeInfo[]): string {
  const origin = w.source === 'builtin' ? '' : ` — ${w.source} ${!w.available ? '(unavailable)' : w.version}`
  const available = runtimes.filter(r => r.available).map(r => r.id)
  if (available.length <= 1) return `${w.id} (${w.kind})${origin}`
  const runs = w.runtimes.filter(r => available.includes(r.id)).map(r => r.id)
  return runs.length === available.length ? `${w.id} (${w.kind})${origin}` : `${w.id} (${w.kind} · ${runs.join(', ')} only)${origin}`
}

/** Where a package workload comes from, in words for the form; '' for a built-in. */
export function workloadOrigin (w: Workload): string {
  if (w.source === 'builtin') return ''
  if (!w.available) return ` Unavailable: ${w.reason ?? 'no runner could load it'}.`
  const runners = w.runners.map(r => w.versions.length > 1 ? `${r.name} (${r.version})` : r.name)
  return ` From ${w.source}, version ${w.version}; on ${runners.length === 1 ? 'runner' : 'runners'} ${runners.join(', ')}.`
}
