// A tiny DOM builder. Text always goes in through text nodes and attributes through setAttribute,
// never innerHTML, so anything the API returns is displayed, not interpreted.

export type Child = Node | string | number | null | undefined | false
export type Attrs = Record<string, string | number | boolean | null | undefined | ((ev: any) => void)>

export function h<K extends keyof HTMLElementTagNameMap> (tag: K, attrs?: Attrs | null, ...children: Array<Child | Child[]>): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  if (attrs != null) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue
      if (typeof value === 'function') {
        el.addEventListener(key.replace(/^on/, '').toLowerCase(), value)
      } else if (key === 'style') {
        // CSSOM, not the attribute: allowed under a Content-Security-Policy without 'unsafe-inline'.
        el.style.cssText = String(value)
      } else if (key === 'class') {
        el.className = String(value)
      } else if (key === 'value' && 'value' in el) {
        (el as HTMLInputElement).value = String(value)
      } else if (key === 'checked' && el instanceof HTMLInputElement) {
        el.checked = value === true
      } else {
        el.setAttribute(key, value === true ? '' : String(value))
      }
    }
  }
  append(el, children)
  return el
}

export function append (parent: Node, children: Array<Child | Child[]>): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c)
  }
}

/** Replaces every child of `el`. */
export function replace (el: Element, ...children: Array<Child | Child[]>): void {
  el.replaceChildren()
  append(el, children)
}

export function text (el: Element, value: string): void {
  if (el.textContent !== value) el.textContent = value
}

export function byId<T extends HTMLElement = HTMLElement> (root: ParentNode, id: string): T {
  const el = root.querySelector(`#${CSS.escape(id)}`)
  if (el === null) throw new Error(`#${id} not found`)
  return el as T
}
