// Submit form built from GET /api/workloads (one input per parameter, with its bounds and default),
// preset buttons from GET /api/presets, and the API's 400 message shown next to the field it names.
import { api, ApiError, thisHost } from '../api.js'
import { hostCoresText } from '../../../src/host/describe.js'
import { h, replace } from '../dom.js'
import * as fmt from '../format.js'
import { jobHref, navigate, type Page } from '../nav.js'
import { EXECUTOR_KINDS, type ExecutorKind } from '../../../src/schemas/vocabulary.js'
import type { JobSubmit } from '../../../src/schemas/job.js'
import type { ParamSchema, Preset, Workload } from '../../../src/schemas/catalog.js'
import { errorBox, pageHeading } from '../ui.js'
import { runtimeField, workloadOption, workloadOrigin } from './runtime-field.js'

/** A refused field as the form shows it: `field` is a request path (the API's details) or null. */
interface Problem { field: string | null, message: string }

const FORM_FIELDS = ['name', 'tasks', 'runtimes', 'executors', 'workers', 'repetitions', 'warmup', 'taskTimeoutMs', 'tags', 'preset']

/**
 * The form field a request path belongs to: `workload.params.n` → `params.n`, `workers.1` →
 * `workers`, `workload.id` → `workload`; null for the job as a whole (`body`) or an unknown field.
 */
export function formField (path: string | null): string | null {
  if (path === null) return null
  const parts = path.split('.')
  if (parts[0] === 'workload' && parts[1] === 'params' && parts[2] !== undefined) return `params.${parts[2]}`
  if (parts[0] === 'workload') return 'workload'
  const top = parts[0] as string
  return FORM_FIELDS.includes(top) ? top : null
}

const slotId = (field: string): string => `err-${field.replace(/[^A-Za-z0-9_-]/g, '-')}`
const inputId = (field: string): string => `f-${field.replace(/[^A-Za-z0-9_-]/g, '-')}`

interface Field { name: string, label: string, control: HTMLElement, hint?: string }

function fieldRow ({ name, label, control, hint }: Field): HTMLElement {
  const hintEl = hint !== undefined ? h('p', { class: 'hint', id: `hint-${inputId(name)}` }, hint) : null
  control.setAttribute('aria-describedby', [hintEl?.id, slotId(name)].filter(Boolean).join(' '))
  return h('div', { class: 'field', 'data-field': name },
    h('label', { for: control.id }, label),
    control,
    hintEl,
    h('p', { class: 'field-error', id: slotId(name), role: 'alert' }))
}

function describeBounds (s: ParamSchema): string {
  const parts: string[] = []
  const lo = s.minimum ?? s.exclusiveMinimum
  const hi = s.maximum ?? s.exclusiveMaximum
  if (lo !== undefined && hi !== undefined) parts.push(`${fmt.int(lo)} to ${fmt.int(hi)}`)
  else if (lo !== undefined) parts.push(`at least ${fmt.int(lo)}`)
  else if (hi !== undefined) parts.push(`at most ${fmt.int(hi)}`)
  if (s.default !== undefined) parts.push(`default ${String(s.default)}`)
  const bounds = parts.join(', ')
  return [s.description, bounds === '' ? undefined : `(${bounds})`].filter(Boolean).join(' ')
}

function paramControl (name: string, s: ParamSchema, value: unknown): HTMLElement {
  const id = inputId(`params.${name}`)
  const options = s.enum ?? s.anyOf?.map(a => a.const).filter(v => v !== undefined)
  if (options !== undefined && options.length > 0) {
    const sel = h('select', { id, name: `params.${name}` }, options.map(o => h('option', { value: String(o) }, String(o))))
    sel.value = String(value ?? s.default ?? options[0])
    return sel
  }
  if (s.type === 'boolean') {
    return h('input', { id, name: `params.${name}`, type: 'checkbox', checked: (value ?? s.default) === true })
  }
  if (s.type === 'integer' || s.type === 'number') {
    return h('input', {
      id,
      name: `params.${name}`,
      type: 'number',
      inputmode: s.type === 'integer' ? 'numeric' : 'decimal',
      min: s.minimum ?? s.exclusiveMinimum,
      max: s.maximum ?? s.exclusiveMaximum,
      step: s.type === 'integer' ? (s.multipleOf ?? 1) : 'any',
      value: value === undefined ? (s.default === undefined ? undefined : String(s.default)) : String(value)
    })
  }
  return h('input', { id, name: `params.${name}`, type: 'text', minlength: s.minLength, maxlength: s.maxLength, value: String(value ?? s.default ?? '') })
}

export async function renderSubmit (main: HTMLElement, _query: URLSearchParams): Promise<Page> {
  const [workloads, presets, host, defaults] = await Promise.all([api.workloads(), api.presets(), thisHost(), api.specDefaults()])
  const cores = host?.usableCores ?? Math.max(...defaults.workers)
  const { limits } = defaults
  const hostRuntimes = host?.runtimes ?? []

  const formError = h('div', { class: 'form-error', role: 'alert', 'aria-live': 'assertive' })
  const workloadSel = h('select', { id: inputId('workload'), name: 'workload' },
    workloads.map(w => h('option', { value: w.id, disabled: !w.available }, workloadOption(w, hostRuntimes))))
  const workloadDesc = h('p', { class: 'hint', id: 'workload-desc' })
  const paramsBox = h('div', { class: 'params' })
  const nameIn = h('input', { id: inputId('name'), name: 'name', type: 'text', maxlength: 200, placeholder: 'optional: e.g. fib(30) scaling', autocomplete: 'off' })
  const tasksIn = h('input', { id: inputId('tasks'), name: 'tasks', type: 'number', min: 1, max: limits.tasks, step: 1, inputmode: 'numeric', value: String(defaults.tasks) })
  const repsIn = h('input', { id: inputId('repetitions'), name: 'repetitions', type: 'number', min: 1, max: limits.repetitions, step: 1, inputmode: 'numeric', value: String(defaults.repetitions) })
  const warmIn = h('input', { id: inputId('warmup'), name: 'warmup', type: 'number', min: 0, max: limits.warmup, step: 1, inputmode: 'numeric', value: String(defaults.warmup) })
  const timeoutIn = h('input', { id: inputId('taskTimeoutMs'), name: 'taskTimeoutMs', type: 'number', min: 100, max: limits.taskTimeoutMs, step: 1, inputmode: 'numeric', placeholder: `server default (${defaults.taskTimeoutMs})` })
  const workersIn = h('input', { id: inputId('workers'), name: 'workers', type: 'text', inputmode: 'numeric', autocomplete: 'off', value: defaults.workers.join(', ') })
  const tagsIn = h('textarea', { id: inputId('tags'), name: 'tags', rows: 2, placeholder: 'branch=main\ncommit=abc123', spellcheck: 'false' })
  const execBoxes = EXECUTOR_KINDS.map(e => h('input', { type: 'checkbox', id: inputId(`executor-${e}`), name: 'executors', value: e, checked: true }))
  const execSlot = h('p', { class: 'field-error', id: slotId('executors'), role: 'alert' })
  const executors = h('fieldset', { class: 'field executors', 'data-field': 'executors', 'aria-describedby': slotId('executors') },
    h('legend', null, 'Executors'),
    h('div', { class: 'checks' }, execBoxes.map((box, i) => h('label', { class: 'check' }, box, ` ${EXECUTOR_KINDS[i] as string}`))),
    h('p', { class: 'hint' }, h('code', null, 'serialized'), ' and ', h('code', null, 'async'), ' run once with 1 worker; ', h('code', null, 'threaded'), ' and ', h('code', null, 'process'), ' once per worker count.'),
    execSlot)

  const workloadById = (id: string): Workload | undefined => workloads.find(w => w.id === id)
  const runtimes = runtimeField(hostRuntimes, slotId('runtimes'), () => { runtimes.check(workloadById(workloadSel.value)) })
  const renderParams = (values: Record<string, unknown> = {}): void => {
    const w = workloadById(workloadSel.value)
    runtimes.check(w)
    workloadDesc.textContent = w === undefined ? '' : `${w.description}${w.sharedMemory ? ' Uses shared memory.' : ''}${workloadOrigin(w)}`
    const props = w?.params.properties ?? {}
    const rows = Object.entries(props).map(([name, schema]) => fieldRow({ name: `params.${name}`, label: name, control: paramControl(name, schema, values[name]), hint: describeBounds(schema) }))
    replace(paramsBox, rows.length === 0 ? h('p', { class: 'muted' }, 'This workload has no parameters.') : rows)
  }
  workloadSel.addEventListener('change', () => { renderParams() })
  workloadSel.value = workloads.some(w => w.id === 'fibonacci') ? 'fibonacci' : (workloads[0]?.id ?? '')
  renderParams()

  const submitBtn = h('button', { type: 'submit', class: 'primary' }, 'Submit job')
  const form = h('form', { id: 'submit-form', class: 'submit-form', novalidate: true, 'aria-labelledby': 'form-title' },
    h('h2', { id: 'form-title' }, 'Custom job'),
    formError,
    fieldRow({ name: 'workload', label: 'Workload', control: workloadSel }),
    workloadDesc,
    h('fieldset', { class: 'param-set' }, h('legend', null, 'Parameters'), paramsBox),
    h('div', { class: 'grid' },
      fieldRow({ name: 'tasks', label: 'Tasks per run', control: tasksIn, hint: 'How many workload calls one run makes.' }),
      fieldRow({ name: 'workers', label: 'Worker counts', control: workersIn, hint: `Comma-separated sweep for threaded and process (this host: ${host === null ? `${cores} cores` : hostCoresText(host)}).` }),
      fieldRow({ name: 'repetitions', label: 'Repetitions', control: repsIn, hint: 'Recorded runs per cell: 6 or more for intervals, outlier flags and a "same" verdict.' }),
      fieldRow({ name: 'warmup', label: 'Warm-up runs', control: warmIn, hint: 'Unrecorded runs per cell first.' })),
    runtimes.element,
    executors,
    h('details', { class: 'more' }, h('summary', null, 'Name, tags and timeout'),
      h('div', { class: 'grid' },
        fieldRow({ name: 'name', label: 'Name', control: nameIn }),
        fieldRow({ name: 'taskTimeoutMs', label: 'Task timeout (ms)', control: timeoutIn, hint: 'A task running longer is killed and fails its run.' }),
        fieldRow({ name: 'tags', label: 'Tags', control: tagsIn, hint: 'One key=value per line, e.g. branch=main.' }))),
    h('div', { class: 'actions' }, submitBtn))

  const clearErrors = (): void => {
    replace(formError)
    for (const slot of form.querySelectorAll('.field-error')) slot.textContent = ''
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid')
    for (const el of form.querySelectorAll('.invalid')) el.classList.remove('invalid')
  }
  /** Shows each message next to its field (or above the form); focuses the first field named. */
  const showErrors = (problems: Problem[], status?: number): void => {
    let first: HTMLElement | null = null
    const general: string[] = []
    for (const { field: path, message: msg } of problems) {
      const field = formField(path)
      const slot = field === null ? null : form.querySelector<HTMLElement>(`#${CSS.escape(slotId(field))}`)
      if (field === null || slot === null) { general.push(msg); continue }
      slot.textContent = slot.textContent === '' ? msg : `${slot.textContent}; ${msg}`
      const row = slot.closest<HTMLElement>('.field')
      row?.classList.add('invalid')
      const control = field === 'executors' ? execBoxes[0] : field === 'runtimes' ? runtimes.control() : form.querySelector<HTMLElement>(`#${CSS.escape(inputId(field))}`)
      control?.setAttribute('aria-invalid', 'true')
      if (field === 'name' || field === 'taskTimeoutMs' || field === 'tags') (form.querySelector('details.more') as HTMLDetailsElement).open = true
      first ??= control ?? null
    }
    const summary = status === 400 ? 'The job was not accepted: fix the field marked below.' : 'The job was not accepted.'
    replace(formError, h('div', { class: 'alert error' }, h('strong', null, summary), general.length > 0 ? h('ul', null, general.map(g => h('li', null, g))) : null))
    ;(first ?? formError).focus?.()
  }

  /** Reads the form into a spec; format problems are reported here, limits by the API. */
  const readForm = (): { spec: JobSubmit, problems: Problem[] } => {
    const problems: Problem[] = []
    const problem = (field: string, message: string): void => { problems.push({ field, message: `${field}: ${message}` }) }
    const spec: JobSubmit = {}
    const w = workloadById(workloadSel.value)
    const params: Record<string, unknown> = {}
    for (const [name, schema] of Object.entries(w?.params.properties ?? {})) {
      const el = form.querySelector<HTMLInputElement | HTMLSelectElement>(`#${CSS.escape(inputId(`params.${name}`))}`)
      if (el === null) continue
      if (el instanceof HTMLInputElement && el.type === 'checkbox') params[name] = el.checked
      else if (el instanceof HTMLInputElement && el.type === 'number') {
        if (el.validity.badInput) problems.push({ field: `workload.params.${name}`, message: `params.${name}: is not a number` })
        else if (el.value !== '') params[name] = Number(el.value)
      } else if (schema.enum !== undefined || schema.anyOf !== undefined) {
        const opts = schema.enum ?? schema.anyOf?.map(a => a.const) ?? []
        params[name] = opts.find(o => String(o) === el.value) ?? el.value
      } else params[name] = el.value
    }
    spec.workload = { id: workloadSel.value, params }
    const numberField = (el: HTMLInputElement, field: 'tasks' | 'repetitions' | 'warmup' | 'taskTimeoutMs'): void => {
      if (el.validity.badInput) problem(field, 'is not a number')
      else if (el.value.trim() !== '') spec[field] = Number(el.value)
    }
    numberField(tasksIn, 'tasks')
    numberField(repsIn, 'repetitions')
    numberField(warmIn, 'warmup')
    numberField(timeoutIn, 'taskTimeoutMs')
    const tokens = workersIn.value.split(/[\s,;]+/).filter(Boolean)
    const bad = tokens.find(t => !/^\d+$/.test(t))
    if (bad !== undefined) problem('workers', `${JSON.stringify(bad)} is not a whole number; give counts like 1, 2, 4`)
    else if (tokens.length > 0) spec.workers = tokens.map(Number)
    const chosen = runtimes.selected()
    if (chosen.length === 0) problem('runtimes', 'choose at least one runtime')
    // Node alone is the server's default: a Node-only request stays what it was before runtimes.
    else if (chosen.length > 1 || chosen[0] !== 'node') spec.runtimes = chosen
    spec.executors = execBoxes.filter(b => b.checked).map(b => b.value as ExecutorKind)
    if (spec.executors.length === 0) problem('executors', 'choose at least one executor')
    if (nameIn.value.trim() !== '') spec.name = nameIn.value.trim()
    const tags: Record<string, string> = {}
    tagsIn.value.split('\n').map(l => l.trim()).filter(Boolean).forEach((line, i) => {
      const at = line.search(/[=:]/)
      if (at <= 0) problem('tags', `line ${i + 1} should be key=value`)
      else tags[line.slice(0, at).trim()] = line.slice(at + 1).trim()
    })
    if (Object.keys(tags).length > 0) spec.tags = tags
    return { spec, problems }
  }

  const send = async (spec: JobSubmit, button: HTMLButtonElement, onError: (err: unknown) => void): Promise<void> => {
    button.disabled = true
    button.setAttribute('aria-busy', 'true')
    try {
      const res = await api.submit(spec)
      navigate(jobHref(res.id))
    } catch (err) {
      onError(err)
    } finally {
      button.disabled = false
      button.removeAttribute('aria-busy')
    }
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault()
    clearErrors()
    const { spec, problems } = readForm()
    if (problems.length > 0) { showErrors(problems, 400); return }
    void send(spec, submitBtn, (err) => {
      if (err instanceof ApiError && err.status === 400) showErrors(err.details.length > 0 ? err.details : [{ field: null, message: err.message }], 400)
      else if (err instanceof ApiError && err.status === 429) showErrors([{ field: null, message: `The queue is full: ${err.message}. Try again in ${err.retryAfter ?? 'a few'} seconds.` }])
      else showErrors([{ field: null, message: err instanceof Error ? err.message : String(err) }])
    })
  })

  /** Puts a preset's spec into the form, for editing before submitting. */
  const loadPreset = (p: Preset): void => {
    clearErrors()
    const s = p.spec
    if (s.workload !== undefined) {
      workloadSel.value = s.workload.id
      renderParams(s.workload.params ?? {})
    }
    if (s.tasks !== undefined) tasksIn.value = String(s.tasks)
    if (s.repetitions !== undefined) repsIn.value = String(s.repetitions)
    if (s.warmup !== undefined) warmIn.value = String(s.warmup)
    timeoutIn.value = s.taskTimeoutMs === undefined ? '' : String(s.taskTimeoutMs)
    if (s.workers !== undefined) workersIn.value = s.workers.join(', ')
    if (s.executors !== undefined) for (const b of execBoxes) b.checked = s.executors.includes(b.value as ExecutorKind)
    runtimes.set(s.runtimes ?? ['node'])
    runtimes.check(workloadById(workloadSel.value))
    nameIn.value = s.name ?? ''
    tagsIn.value = Object.entries(s.tags ?? {}).map(([k, v]) => `${k}=${v}`).join('\n')
    workloadSel.focus()
    form.scrollIntoView({ block: 'start' })
  }

  const presetCards = presets.map(p => {
    const err = h('div', { class: 'preset-error', role: 'alert' })
    const run = h('button', { type: 'button', class: 'primary', 'data-preset': p.id }, 'Run')
    run.addEventListener('click', () => {
      replace(err)
      void send({ preset: p.id }, run, (e) => { replace(err, errorBox(e)) })
    })
    const edit = h('button', { type: 'button', class: 'secondary', 'data-preset-edit': p.id }, 'Edit in form')
    edit.addEventListener('click', () => { loadPreset(p) })
    const s = p.spec
    const detail = [
      s.workload === undefined ? null : `${s.workload.id} ${fmt.params(s.workload.params ?? {})}`,
      s.tasks === undefined ? null : `${s.tasks} tasks`,
      s.runtimes === undefined ? null : s.runtimes.join(' vs '),
      s.executors === undefined ? null : s.executors.join(', '),
      s.workers === undefined ? null : `workers ${s.workers.join(', ')}`,
      s.repetitions === undefined ? null : `${s.repetitions} reps`
    ].filter(Boolean).join(' · ')
    return h('li', { class: 'preset' },
      h('h3', null, s.name ?? p.id, ' ', h('code', { class: 'small' }, p.id)),
      h('p', null, p.description),
      h('p', { class: 'hint' }, detail),
      h('div', { class: 'actions' }, run, edit),
      err)
  })

  replace(main,
    pageHeading('New job'),
    h('section', { 'aria-labelledby': 'presets-title', class: 'presets' },
      h('h2', { id: 'presets-title' }, 'Presets'),
      h('p', { class: 'muted' }, 'Ready-made experiments from the GIL articles. Run one as is, or load it into the form to change it.'),
      h('ul', { class: 'preset-list' }, presetCards)),
    form)
  return { title: 'New job' }
}
