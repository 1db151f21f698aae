import { Type } from './param-types.js'
import { defineWorkload } from './types.js'

interface Item {
  id: number
  name: string
  active: boolean
  score: number
  tags: string[]
  meta: { created: number, owner: string }
}

// Integers and ASCII only, so the JSON text (and its length) is the same in every runtime.
function build(items: number): { version: number, items: Item[] } {
  const list: Item[] = []
  for (let i = 0; i < items; i++) {
    list.push({
      id: i,
      name: `item-${i}`,
      active: i % 3 === 0,
      score: (i * 7919) % 10007,
      tags: [`t${i % 7}`, `t${i % 11}`],
      meta: { created: 1_700_000_000 + i, owner: `user-${i % 97}` },
    })
  }
  return { version: 1, items: list }
}

/**
 * Each round stringifies the current document and parses it back; the next round works on the
 * parsed copy. Checksum: "<Σ over items of id + score + created + tags.length + active> : <JSON length>".
 */
export default defineWorkload({
  id: 'json-roundtrip',
  kind: 'mixed',
  description: 'Build a document, then JSON.stringify and JSON.parse it `rounds` times.',
  params: Type.Object({
    items: Type.Integer({ default: 1000, minimum: 1, maximum: 200_000, description: 'Objects in the document (~150 bytes of JSON each).' }),
    rounds: Type.Integer({ default: 1, minimum: 1, maximum: 100, description: 'Stringify + parse round trips per task.' }),
  }, { additionalProperties: false }),
  run({ items, rounds }) {
    let doc = build(items)
    let length = 0
    for (let r = 0; r < rounds; r++) {
      const text = JSON.stringify(doc)
      length = text.length
      doc = JSON.parse(text) as typeof doc
    }
    let sum = 0
    for (const it of doc.items) sum += it.id + it.score + it.meta.created + it.tags.length + (it.active ? 1 : 0)
    return { checksum: `${sum}:${length}` }
  },
})
