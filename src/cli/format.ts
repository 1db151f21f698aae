// Plain-text tables and number formats for the terminal: no colours, so output pipes and diffs cleanly.
import { escapeUnsafe } from '../schemas/text.js'

/**
 * Text from the server (names, tags, errors, warnings, host names) for one terminal line: newlines,
 * ESC and every other control, separator or bidirectional override shown as an escape (`\n`,
 * `\u001b`), so that no value can add a line, move the cursor or restyle the terminal.
 */
export function safe (s: string): string {
  return escapeUnsafe(s)
}

/** A whole document from the server (a report, pretty JSON): its line ends and tabs kept, every other control escaped. */
export function safeDocument (s: string): string {
  return escapeUnsafe(s, { keepLines: true })
}

export interface Column<T> {
  header: string
  /** Numbers read best right-aligned. */
  align?: 'left' | 'right'
  value: (row: T) => string
}

/** An aligned table: a header, a rule, one line per row, every cell one line (`safe`); trailing spaces trimmed. */
export function table<T> (rows: readonly T[], columns: ReadonlyArray<Column<T>>): string {
  const cells = rows.map(r => columns.map(c => safe(c.value(r))))
  const widths = columns.map((c, i) => Math.max(width(c.header), ...cells.map(row => width(row[i] ?? ''))))
  const line = (values: readonly string[]): string => values.map((v, i) => {
    const pad = ' '.repeat((widths[i] ?? 0) - width(v))
    return columns[i]?.align === 'right' ? pad + v : v + pad
  }).join('  ').trimEnd()
  return [line(columns.map(c => c.header)), widths.map(w => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n') + '\n'
}

/** Code points, not UTF-16 units: '×', '✓' and '–' take one column each. */
function width (s: string): number {
  return [...s].length
}

export const DASH = '–'

export function ms (v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH
  if (v >= 10_000) return `${(v / 1000).toFixed(2)} s`
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ms`
}

export function fixed (v: number | null | undefined, digits = 2, suffix = ''): string {
  return v === null || v === undefined || !Number.isFinite(v) ? DASH : `${v.toFixed(digits)}${suffix}`
}

export function signedPct (v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? DASH : `${v >= 0 ? '+' : ''}${v.toFixed(1)} %`
}

export function pValue (p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return DASH
  return p < 0.0001 ? '<0.0001' : p.toPrecision(2)
}

/** Local time, to the second: `2026-11-22 00:25:27`. */
export function when (iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return DASH
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const p = (n: number): string => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
}

export function truncate (s: string, max: number): string {
  return [...s].length <= max ? s : [...s].slice(0, max - 1).join('') + '…'
}
