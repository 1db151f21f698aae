#!/usr/bin/env node
// The `corebench` command. After `npm run build` it runs the compiled CLI from dist/; in a checkout
// without a build it loads the TypeScript sources through tsx, so `npx corebench` works in both.
import { existsSync } from 'node:fs'

const compiled = new URL('../dist/cli/index.js', import.meta.url)
let entry = compiled
if (!existsSync(compiled)) {
  const { register } = await import('tsx/esm/api')
  register()
  // `serve` forks `process`-executor children, which load their .ts entry through the loader in
  // execArgv (src/executors/entry.ts); a loader registered in code is not inherited, so name it there.
  if (!process.execArgv.some(a => a.includes('tsx'))) process.execArgv.push('--import', import.meta.resolve('tsx'))
  entry = new URL('../src/cli/index.ts', import.meta.url)
}

const { main } = await import(entry.href)
main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code },
  (err) => {
    console.error(`corebench: ${err?.stack ?? err}`)
    process.exitCode = 2
  }
)
