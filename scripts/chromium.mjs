// Chromium for the dashboard's browser tests (test/web/browser.ts drives Debian's /usr/bin/chromium
// through playwright-core, never a downloaded browser). `npm test` gets it where it can, and
// otherwise stops with one line that says what to install: never a skip that hides those tests.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

export const CHROMIUM = '/usr/bin/chromium'
const INSTALL = 'apt-get install -y chromium'

/**
 * @typedef {{ status: number | null, output: string }} RunResult
 * @typedef {{
 *   exists: (path: string) => boolean,
 *   uid: () => number,
 *   which: (command: string) => boolean,
 *   run: (command: string, args: string[]) => RunResult,
 *   log: (line: string) => void
 * }} Deps
 * @typedef {{ ok: true, installed: boolean } | { ok: false, message: string }} Outcome
 */

/**
 * Makes sure CHROMIUM exists: nothing to do when it does; else Debian's package through apt-get, as
 * root or through passwordless sudo; else a one-line message naming what to install.
 * @param {Deps} deps the machine, injected so that the decision is testable without root or apt
 * @returns {Outcome}
 */
export function ensureChromium (deps) {
  if (deps.exists(CHROMIUM)) return { ok: true, installed: false }
  const need = `run-tests: the dashboard's browser tests need Chromium at ${CHROMIUM}`
  if (!deps.which('apt-get')) return { ok: false, message: `${need}; this machine has no apt-get: install Chromium so that ${CHROMIUM} runs it, then run npm test again` }
  let prefix
  if (deps.uid() === 0) prefix = []
  else if (deps.which('sudo') && deps.run('sudo', ['-n', 'true']).status === 0) prefix = ['sudo', '-n']
  else return { ok: false, message: `${need}: run \`sudo ${INSTALL}\` (Debian's package), then npm test again` }

  deps.log(`run-tests: installing Chromium (${prefix.length > 0 ? 'sudo ' : ''}${INSTALL})`)
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', 'chromium']]) {
    const [command, ...rest] = [...prefix, 'apt-get', ...args]
    const res = deps.run(command, rest)
    if (res.status !== 0) {
      const last = res.output.trim().split('\n').at(-1) ?? ''
      return { ok: false, message: `${need}: \`${[...prefix, 'apt-get', ...args].join(' ')}\` failed (${last.slice(0, 200)}); run \`sudo ${INSTALL}\`, then npm test again` }
    }
  }
  if (!deps.exists(CHROMIUM)) return { ok: false, message: `${need}: the chromium package installed no ${CHROMIUM} (not Debian?); install Chromium there, then npm test again` }
  return { ok: true, installed: true }
}

/** @type {Deps} The real machine. */
export const machine = {
  exists: existsSync,
  uid: () => process.getuid?.() ?? -1,
  which: (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0,
  run: (command, args) => {
    const res = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
    return { status: res.status, output: `${res.stdout ?? ''}${res.stderr ?? ''}${res.error?.message ?? ''}` }
  },
  log: (line) => { console.error(line) }
}
