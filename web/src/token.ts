// The optional API token (DESIGN.md §9): once a server has tokens, writes (and, if configured,
// reads) need `Authorization: Bearer …`; a WebSocket carries it as `?token=`. Kept in this
// browser's localStorage only, and sent only to this origin.
import { h } from './dom.js'

const KEY = 'corebench.token'

export function getToken (): string | null {
  try { return localStorage.getItem(KEY) } catch { return null }
}

export function setToken (value: string | null): void {
  try {
    if (value === null || value === '') localStorage.removeItem(KEY)
    else localStorage.setItem(KEY, value)
  } catch { /* storage disabled: the token lasts for this page only */ }
  updateTokenButton()
}

export function updateTokenButton (): void {
  const b = document.getElementById('token-button')
  if (b !== null) b.textContent = getToken() === null ? 'API token' : 'API token ✓'
}

let dialog: HTMLDialogElement | undefined

/** A small modal to paste or clear the token; reloads the current page once saved. */
export function openTokenDialog (): void {
  if (dialog === undefined) {
    const input = h('input', { id: 'token-input', type: 'password', autocomplete: 'off', spellcheck: 'false' })
    const save = h('button', { type: 'submit', class: 'primary', value: 'save' }, 'Save')
    const clear = h('button', { type: 'button', class: 'secondary' }, 'Forget token')
    const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel')
    const d = h('dialog', { id: 'token-dialog', 'aria-labelledby': 'token-title' },
      h('form', { method: 'dialog' },
        h('h2', { id: 'token-title' }, 'API token'),
        h('p', { class: 'hint' }, 'Needed when this server has API tokens (create one with the corebench CLI). Stored in this browser only.'),
        h('div', { class: 'field' }, h('label', { for: 'token-input' }, 'Token'), input),
        h('div', { class: 'actions' }, save, clear, cancel)))
    d.addEventListener('close', () => {
      if (d.returnValue === 'save') {
        setToken(input.value.trim())
        window.dispatchEvent(new HashChangeEvent('hashchange'))
      }
    })
    clear.addEventListener('click', () => { setToken(null); input.value = ''; d.close('cleared'); window.dispatchEvent(new HashChangeEvent('hashchange')) })
    cancel.addEventListener('click', () => { d.close('cancel') })
    document.body.append(d)
    dialog = d
  }
  const input = dialog.querySelector('input') as HTMLInputElement
  input.value = getToken() ?? ''
  dialog.returnValue = ''
  dialog.showModal()
  input.focus()
}
