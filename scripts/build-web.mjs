// Builds the dashboard: web/src/main.ts → dist/web/app.js (one minified bundle, uPlot inside), plus
// index.html, style.css and uPlot's stylesheet. Everything is served by src/plugins/dashboard.ts;
// nothing is fetched from a CDN, so the dashboard works offline.
//
//   node scripts/build-web.mjs            build once
//   node scripts/build-web.mjs --watch    rebuild on change (development)
import { build, context } from 'esbuild'
import { copyFile, mkdir, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)

/** Builds the bundle into `outdir` (default dist/web) and returns the files written with their sizes. */
export async function buildWeb ({ outdir = join(repo, 'dist', 'web'), minify = true, watch = false, logLevel = 'warning' } = {}) {
  await rm(outdir, { recursive: true, force: true })
  await mkdir(outdir, { recursive: true })
  const options = {
    entryPoints: [join(repo, 'web', 'src', 'main.ts')],
    outfile: join(outdir, 'app.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome109', 'firefox115', 'safari16'],
    minify,
    sourcemap: 'linked',
    legalComments: 'linked',
    metafile: true,
    logLevel,
    tsconfig: join(repo, 'web', 'tsconfig.json')
  }
  const uplotCss = join(dirname(require.resolve('uplot/package.json')), 'dist', 'uPlot.min.css')
  const copies = [
    [join(repo, 'web', 'index.html'), join(outdir, 'index.html')],
    [join(repo, 'web', 'style.css'), join(outdir, 'style.css')],
    [uplotCss, join(outdir, 'uPlot.min.css')]
  ]
  await Promise.all(copies.map(([from, to]) => copyFile(from, to)))
  if (watch) {
    const ctx = await context({ ...options, logLevel: 'info' })
    await ctx.watch()
    return { ctx, files: {} }
  }
  const result = await build(options)
  const files = Object.fromEntries(Object.entries(result.metafile.outputs).map(([file, o]) => [file, o.bytes]))
  return { files }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const watch = process.argv.includes('--watch')
  const { files } = await buildWeb({ watch })
  for (const [file, bytes] of Object.entries(files)) console.log(`${file.replace(repo + '/', '')}  ${(bytes / 1024).toFixed(1)} kB`)
  if (watch) console.log('watching web/ for changes…')
}
