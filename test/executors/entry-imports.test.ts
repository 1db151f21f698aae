import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { workloadModules } from '../../src/workloads/modules.js'

// A worker thread or child answers its first message only once its entry's static imports have
// loaded. TypeBox alone is ~140 ms per isolate (issue 16, "Cost of a fork"), so neither the entries
// nor the workload a task loads may reach a schema library at run time (type-only imports are erased).

const src = fileURLToPath(new URL('../../src/', import.meta.url))
const HEAVY = /^(@sinclair\/typebox|ajv|fastify|@fastify\/|@prisma\/|pino)/

/** Every bare package a module reaches through its static, non-type imports, following relative ones. */
function runtimePackages (file: string, seen = new Set<string>(), found = new Set<string>()): Set<string> {
  if (seen.has(file)) return found
  seen.add(file)
  const text = readFileSync(file, 'utf8')
  for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?'([^']+)'/gm)) {
    const spec = m[1] as string
    if (spec.startsWith('.')) runtimePackages(resolve(dirname(file), spec.replace(/\.js$/, '.ts')), seen, found)
    else found.add(spec)
  }
  return found
}

test('worker and child entries load no schema library, framework or database client', () => {
  for (const entry of ['thread', 'piscina', 'child']) {
    const heavy = [...runtimePackages(join(src, 'executors/entries', `${entry}.ts`))].filter(p => HEAVY.test(p))
    assert.deepStrictEqual(heavy, [], `entries/${entry}.ts reaches ${heavy.join(', ')}`)
  }
})

test('no workload module loads a schema library at run time', () => {
  for (const id of Object.keys(workloadModules)) {
    const file = join(src, 'workloads', `${id}.ts`)
    const heavy = [...runtimePackages(file)].filter(p => HEAVY.test(p))
    assert.deepStrictEqual(heavy, [], `workloads/${id}.ts reaches ${heavy.join(', ')}`)
  }
})
