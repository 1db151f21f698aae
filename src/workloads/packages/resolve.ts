import { createHash } from 'node:crypto'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'

/** One module of a package, as the runner resolved it. */
export interface PackageModule {
  /** Absolute path of the .js/.mjs module. */
  file: string
  /** Absolute path of its Python twin (same basename, .py), when there is one. */
  python: string | null
  /** package.json version + `+` + the first 12 hex digits of sha256(module bytes, then twin bytes). */
  version: string
}

export interface WorkloadPackage {
  /** The WORKLOADS entry it came from, as written. */
  source: string
  dir: string
  modules: PackageModule[]
}

/** A package-level problem: the entry, where it pointed, and why nothing of it loads. */
export interface PackageProblem { source: string, file: string, reason: string }

/** The entries of a WORKLOADS value: comma-separated, blanks ignored. */
export function workloadEntries (value: string): string[] {
  return value.split(',').map(e => e.trim()).filter(e => e !== '')
}

/**
 * Finds the package of each WORKLOADS entry: a directory (an entry starting with `.` or `/`,
 * relative to `cwd`) or an npm package name, resolved from `cwd` as `require` would. Reads its
 * package.json (`version`, `corebench.workloads`) and hashes each module with its twin. Reads files
 * only: no workload code runs here.
 */
export function resolvePackages (entries: readonly string[], cwd: string): { packages: WorkloadPackage[], problems: PackageProblem[] } {
  const packages: WorkloadPackage[] = []
  const problems: PackageProblem[] = []
  for (const source of entries) {
    const dir = packageDir(source, cwd)
    const found = readPackage(source, dir)
    if ('reason' in found) problems.push(found)
    else packages.push(found)
  }
  return { packages, problems }
}

/** The first 12 hex digits of sha256(module bytes, then twin bytes): the part of a version that names the code. */
export function contentHash (file: string, python: string | null): string {
  const hash = createHash('sha256').update(readFileSync(file))
  if (python !== null) hash.update(readFileSync(python))
  return hash.digest('hex').slice(0, 12)
}

function packageDir (source: string, cwd: string): string | undefined {
  if (source.startsWith('.') || source.startsWith('/')) return resolve(cwd, source)
  // Every node_modules directory `require` would look in, without resolving the package's main or
  // exports (a workload package needs neither).
  const paths = createRequire(join(cwd, 'noop.js')).resolve.paths(source) ?? []
  return paths.map(p => join(p, source)).find(p => existsSync(join(p, 'package.json')))
}

function readPackage (source: string, dir: string | undefined): WorkloadPackage | PackageProblem {
  if (dir === undefined) return { source, file: source, reason: 'no such npm package (resolved from the runner\'s working directory)' }
  const problem = (reason: string): PackageProblem => ({ source, file: dir, reason })
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return problem('no such directory')
  let pkg: { version?: unknown, corebench?: { workloads?: unknown } }
  try {
    pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  } catch (err) {
    return problem(existsSync(join(dir, 'package.json')) ? `package.json is not valid JSON: ${(err as Error).message}` : 'has no package.json')
  }
  if (typeof pkg.version !== 'string' || pkg.version === '') return problem('package.json has no version')
  const list = pkg.corebench?.workloads
  if (!Array.isArray(list) || list.length === 0 || !list.every(f => typeof f === 'string')) return problem('package.json has no "corebench": { "workloads": ["./module.mjs", …] } list')
  const modules: PackageModule[] = []
  for (const entry of list as string[]) {
    const file = resolve(dir, entry)
    if (!/\.m?js$/.test(file)) return problem(`corebench.workloads: ${entry} is not a .js or .mjs file`)
    if (!existsSync(file)) return problem(`corebench.workloads: ${entry} does not exist`)
    const twin = file.replace(/\.m?js$/, '.py')
    const python = existsSync(twin) ? twin : null
    modules.push({ file, python, version: `${pkg.version}+${contentHash(file, python)}` })
  }
  return { source, dir: dirname(join(dir, 'package.json')), modules }
}
