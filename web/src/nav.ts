// Navigation helpers shared by the pages.

export interface Page {
  /** The document title (without the app name). */
  title: string
  /** Closes the page's sockets, timers and charts. */
  cleanup?: () => void
}

export function navigate (hash: string): void {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'))
  else location.hash = hash
}

export const jobHref = (id: string): string => `#/jobs/${encodeURIComponent(id)}`
export const compareHref = (id: string, baseline?: string): string => `#/jobs/${encodeURIComponent(id)}/compare${baseline === undefined ? '' : `?baseline=${encodeURIComponent(baseline)}`}`

/** The header's connection indicator for the live streams. */
export function setLive (state: 'live' | 'reconnecting' | 'off'): void {
  const el = document.getElementById('live')
  if (el === null) return
  el.className = `live ${state}`
  el.textContent = state === 'live' ? '● live' : state === 'reconnecting' ? 'reconnecting…' : ''
}
