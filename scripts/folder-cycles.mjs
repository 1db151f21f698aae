// Folder loops: `import/no-cycle` sees loops between files only, but a loop between folders (jobs/ imports
// stats/, stats/ imports jobs/) already ties two folders together even when no file loop exists. This
// check folds every file under a root into its top-level folder (a file at the root is a unit of its own),
// type-only imports included, and reports each loop with the import lines that close it.
// Usage: node scripts/folder-cycles.mjs [root ...]   (default: src web/src); exit 1 when a loop exists.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const SOURCE = /\.(?:ts|mts|js|mjs)$/
// Generated code (the Prisma clients: generated/, generated-pg/) is not ours to arrange.
const SKIP = /^(?:node_modules|generated(?:-\w+)?)$/
// Every relative specifier of a static import/export, a side-effect import or a dynamic import().
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g

function sourceFiles (dir) {
  const out = []
  for (const name of readdirSync(dir).sort()) {
    if (SKIP.test(name)) continue
    const p = join(dir, name)
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p))
    else if (SOURCE.test(name) && !name.endsWith('.d.ts')) out.push(p)
  }
  return out
}

/** The unit a file belongs to: its top-level folder under root, or the file itself at the root. */
function unitOf (root, file) {
  const parts = relative(root, file).split(sep)
  return parts.length > 1 ? `${parts[0]}/` : parts[0].replace(/\.js$/, '.ts')
}

function lineOf (text, index) {
  let line = 1
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++
  return line
}

/** Strongly connected components of a graph given as Map<node, Set<node>> (Tarjan, iterative enough for folders). */
function components (graph) {
  let next = 0
  const index = new Map()
  const low = new Map()
  const stack = []
  const onStack = new Set()
  const out = []
  function visit (v) {
    index.set(v, next)
    low.set(v, next)
    next++
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v), low.get(w)))
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v), index.get(w)))
      }
    }
    if (low.get(v) === index.get(v)) {
      const scc = []
      let w
      do {
        w = stack.pop()
        onStack.delete(w)
        scc.push(w)
      } while (w !== v)
      out.push(scc.sort())
    }
  }
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v)
  return out
}

/**
 * Loops between the top-level folders of one source root.
 * @param {string} root a directory such as `src`
 * @returns {{ units: string[], edges: { from: string, to: string, at: string }[] }[]} one entry per loop:
 *   the units in it and every import (`file:line`) from one of its units to another; empty when there is none.
 */
export function folderCycles (root) {
  const graph = new Map()
  const edges = []
  for (const file of sourceFiles(root)) {
    const text = readFileSync(file, 'utf8')
    const from = unitOf(root, file)
    if (!graph.has(from)) graph.set(from, new Set())
    for (const m of text.matchAll(SPECIFIER)) {
      const target = resolve(dirname(file), m[1])
      if (relative(root, target).startsWith('..')) continue
      const to = unitOf(root, target)
      if (to === from) continue
      graph.get(from).add(to)
      edges.push({ from, to, at: `${relative(process.cwd(), file)}:${lineOf(text, m.index)}` })
    }
  }
  return components(graph)
    .filter(units => units.length > 1)
    .map(units => ({ units, edges: edges.filter(e => units.includes(e.from) && units.includes(e.to)) }))
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const roots = process.argv.length > 2 ? process.argv.slice(2) : ['src', 'web/src']
  let loops = 0
  for (const root of roots) {
    for (const loop of folderCycles(root)) {
      loops++
      console.error(`folder loop in ${root}: ${loop.units.join(' ⇄ ')}`)
      for (const e of loop.edges) console.error(`  ${e.at}: ${e.from} → ${e.to}`)
    }
  }
  if (loops > 0) process.exit(1)
  console.log(`folder-cycles: no loop between the folders of ${roots.join(', ')}`)
}
