import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/** A package or workload name: what the id's two halves allow (the id is `scope/name`). */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9-]*$/
const MAX_NAME = 64

/**
 * Why `name` cannot name a workload package (null when it can). The same rule for the scope.
 */
export function badName (what: string, name: string): string | null {
  if (name.length > MAX_NAME) return `${what} ${JSON.stringify(name.slice(0, MAX_NAME))}… is longer than ${MAX_NAME} characters`
  if (!NAME_PATTERN.test(name)) return `${what} ${JSON.stringify(name)} is not allowed: use lowercase letters, digits and '-', starting with a letter or digit (${NAME_PATTERN.source})`
  return null
}

/** The files of a new package, by name: see README's "Your own workloads" for the format. */
export function scaffoldFiles (scope: string, name: string): Record<string, string> {
  const id = `${scope}/${name}`
  return {
    'package.json': `${JSON.stringify({
      name,
      version: '0.1.0',
      private: true,
      type: 'module',
      scripts: { test: `node --test ${name}.test.mjs` },
      corebench: { workloads: [`./${name}.mjs`] }
    }, null, 2)}\n`,
    [`${name}.mjs`]: `// A corebench workload: the default export is its whole description. corebench runs it only in
// worker threads and child processes of a runner; \`run\` does one task and returns a checksum that
// must be equal for equal params on every executor and in the Python twin (${name}.py).

/** xorshift32 (Marsaglia 2003, shifts 13/17/5): deterministic data, reproducible in Python. */
function xorshift32 (seed = 2463534242) {
  let x = seed | 0
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return x >>> 0
  }
}

export default {
  id: '${id}',
  kind: 'cpu',
  description: 'Sums n pseudo-random 32-bit numbers (replace with your own code).',
  // JSON Schema: every number has minimum, maximum and default (corebench refuses a request outside).
  params: {
    type: 'object',
    properties: {
      n: { type: 'integer', minimum: 1, maximum: 100000000, default: 1000000, description: 'How many numbers one task draws.' }
    },
    additionalProperties: false
  },
  // task: { index, tmpDir } (tmpDir is a writable directory; remove what you create there).
  run ({ n }, task) {
    const next = xorshift32()
    let sum = 0
    for (let i = 0; i < n; i++) sum = (sum + next()) % 4294967296
    return { checksum: String(sum) }
  }
}
`,
    [`${name}.py`]: `"""Python twin of ${name}.mjs: same id, same params, same checksum."""
ID = '${id}'
MASK = 0xFFFFFFFF


def run(params, task):
    x = 2463534242
    total = 0
    for _ in range(params['n']):
        x ^= (x << 13) & MASK
        x ^= x >> 17
        x ^= (x << 5) & MASK
        total = (total + x) % 4294967296
    return str(total)
`,
    [`${name}.test.mjs`]: `// One task of each runtime with the default params; both must give the same checksum.
// Run with \`npm test\`; \`corebench workload check .\` also validates the package as a runner will.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { fileURLToPath } from 'node:url'
import { test } from 'node:test'
import workload from './${name}.mjs'

const defaults = Object.fromEntries(Object.entries(workload.params.properties).map(([k, p]) => [k, p.default]))
const twin = fileURLToPath(new URL('./${name}.py', import.meta.url))
// Loads the twin by its path, as the runner's harness does.
const python = \`import importlib.util, json, sys, types
spec = importlib.util.spec_from_file_location('twin', sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
assert m.ID == sys.argv[3], m.ID
print(m.run(json.loads(sys.argv[2]), types.SimpleNamespace(index=0, tmp_dir=sys.argv[4])))\`

test('${id}: one task in Node and one in Python give the same checksum', async () => {
  const { checksum } = await workload.run(defaults, { index: 0, tmpDir: tmpdir() })
  assert.equal(typeof checksum, 'string')
  const out = execFileSync(process.env.PYTHON ?? 'python3', ['-c', python, twin, JSON.stringify(defaults), workload.id, tmpdir()], { encoding: 'utf8' })
  assert.equal(out.trim(), checksum)
})
`,
    'README.md': `# ${name}

A corebench workload package: \`${id}\` (${name}.mjs, with its Python twin ${name}.py).

- Test it: \`npm test\` (one task in Node and one in Python, same checksum), then
  \`corebench workload check .\`, which loads and validates it as a runner does and runs one task of each workload.
- Use it: start the runner (or \`corebench serve\`) with \`WORKLOADS=./path/to/${name}\` (a comma-separated list
  of directories, relative to the runner's working directory, or npm package names). It then appears in
  \`GET /api/workloads\` and can be submitted as \`{"workload": {"id": "${id}"}}\`.
- Every change to ${name}.mjs or ${name}.py changes the workload's version (\`0.1.0+<hash of both files>\`), so
  history shows where a change began. Keep the code a task runs in these two files.
- Add workloads: one more \`.mjs\` (and \`.py\`) per workload, listed in package.json \`corebench.workloads\`.
`
  }
}

/**
 * Writes a new package into `dir`. Throws (one line) when `dir` exists and is not empty: a scaffold
 * never overwrites anything.
 */
export async function scaffold (dir: string, scope: string, name: string): Promise<string[]> {
  const existing = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return []
    throw new Error(`${dir}: ${err.code === 'ENOTDIR' ? 'is a file' : err.message}`)
  })
  if (existing.length > 0) throw new Error(`${dir} exists and is not empty: choose another directory (nothing was written)`)
  await mkdir(dir, { recursive: true })
  const files = scaffoldFiles(scope, name)
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text, { flag: 'wx' })
  return Object.keys(files)
}
