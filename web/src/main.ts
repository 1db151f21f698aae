// The dashboard: hash routes, one page at a time; a page returns a cleanup that closes its sockets
// and charts when the user navigates away.
import { renderCompare } from './pages/compare.js'
import { renderJob } from './pages/job.js'
import { renderJobs } from './pages/jobs.js'
import { renderSubmit } from './pages/submit.js'
import { h, replace } from './dom.js'
import type { Page } from './nav.js'
import { openTokenDialog, updateTokenButton } from './token.js'

let cleanup: (() => void) | undefined

/** '#/jobs/j_1?baseline=j_2' → { path: ['jobs', 'j_1'], query } */
function parse (hash: string): { path: string[], query: URLSearchParams } {
  const raw = hash.replace(/^#\/?/, '')
  const [p = '', q = ''] = raw.split('?', 2)
  return { path: p.split('/').filter(Boolean).map(safeDecode), query: new URLSearchParams(q) }
}

function safeDecode (s: string): string {
  try { return decodeURIComponent(s) } catch { return s }
}

let routing = 0
async function route (): Promise<void> {
  const n = ++routing
  const main = document.getElementById('main') as HTMLElement
  cleanup?.()
  cleanup = undefined
  const { path, query } = parse(location.hash)
  let section = 'jobs'
  let page: Promise<Page>
  replace(main, h('p', { class: 'muted' }, 'Loading…'))
  if (path.length === 0 || path[0] === 'jobs' && path.length === 1) {
    page = renderJobs(main, query)
  } else if (path[0] === 'submit') {
    section = 'submit'
    page = renderSubmit(main, query)
  } else if (path[0] === 'jobs' && path.length === 2) {
    page = renderJob(main, path[1] as string)
  } else if (path[0] === 'jobs' && path.length === 3 && path[2] === 'compare') {
    page = renderCompare(main, path[1] as string, query)
  } else {
    replace(main, h('h1', { tabindex: '-1' }, 'Not found'), h('p', null, 'No such page. ', h('a', { href: '#/' }, 'Back to the jobs')))
    page = Promise.resolve({ title: 'Not found' })
  }
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a[data-nav]')) {
    if (a.dataset.nav === section) a.setAttribute('aria-current', 'page')
    else a.removeAttribute('aria-current')
  }
  try {
    const p = await page
    if (n !== routing) { p.cleanup?.(); return }
    cleanup = p.cleanup
    document.title = `${p.title} · corebench`
  } catch (err) {
    if (n !== routing) return
    replace(main, h('h1', { tabindex: '-1' }, 'Something went wrong'), h('div', { class: 'alert error', role: 'alert' }, err instanceof Error ? err.message : String(err)))
  }
  // Move focus to the new page's heading, as a full page load would, but not on the first load.
  if (n > 1) (main.querySelector('h1') ?? main).focus({ preventScroll: false })
}

document.addEventListener('DOMContentLoaded', () => {
  document.querySelector('a.skip')?.addEventListener('click', (ev) => {
    ev.preventDefault()
    ;((document.querySelector('main h1') as HTMLElement | null) ?? document.getElementById('main'))?.focus()
  })
  document.getElementById('token-button')?.addEventListener('click', () => { openTokenDialog() })
  updateTokenButton()
  window.addEventListener('hashchange', () => { void route() })
  void route()
})
