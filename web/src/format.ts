// Number and date formatting for humans; null means "not measured" and shows as an en dash.

export const DASH = '–'

export function ms (v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH
  if (Math.abs(v) >= 10_000) return `${(v / 1000).toFixed(1)} s`
  if (Math.abs(v) >= 1000) return `${(v / 1000).toFixed(2)} s`
  if (Math.abs(v) >= 100) return `${v.toFixed(0)} ms`
  if (Math.abs(v) >= 10) return `${v.toFixed(1)} ms`
  return `${v.toFixed(2)} ms`
}

export function msRange (r: [number, number] | null | undefined): string {
  return r == null ? '' : `${ms(r[0])} – ${ms(r[1])}`
}

export function times (v: number | null | undefined, digits = 2): string {
  return v === null || v === undefined || !Number.isFinite(v) ? DASH : `${v.toFixed(digits)}×`
}

export function timesRange (r: [number, number] | null | undefined): string {
  return r == null ? '' : `${r[0].toFixed(2)} – ${r[1].toFixed(2)}×`
}

export function pct (v: number | null | undefined, digits = 0): string {
  return v === null || v === undefined || !Number.isFinite(v) ? DASH : `${(v * 100).toFixed(digits)} %`
}

export function signedPct (v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH
  return `${v > 0 ? '+' : v < 0 ? '−' : '±'}${Math.abs(v).toFixed(digits)} %`
}

export function num (v: number | null | undefined, digits = 2): string {
  return v === null || v === undefined || !Number.isFinite(v) ? DASH : v.toFixed(digits)
}

export function int (v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? DASH : Math.round(v).toLocaleString('en-US')
}

export function bytes (v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH
  const units = ['B', 'kB', 'MB', 'GB']
  let x = v
  let u = 0
  while (x >= 1024 && u < units.length - 1) { x /= 1024; u++ }
  return `${x.toFixed(u === 0 ? 0 : 1)} ${units[u]}`
}

export function pValue (p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return DASH
  return p < 0.0001 ? '< 0.0001' : p.toPrecision(2)
}

export function date (iso: string | null | undefined): string {
  if (iso == null) return DASH
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return DASH
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' })
}

export function duration (fromIso: string | null, toIso: string | null): string {
  if (fromIso === null) return DASH
  const a = new Date(fromIso).getTime()
  const b = toIso === null ? Date.now() : new Date(toIso).getTime()
  return ms(b - a)
}

export function params (p: Record<string, unknown>): string {
  return Object.entries(p).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')
}
