import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { GLOSSARY } from '../../web/src/glossary.js'

test('every figure the dashboard explains has its entry in the README glossary', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
  const section = readme.slice(readme.indexOf('### Glossary'))
  const rows = new Set([...section.matchAll(/^\| ([^|]+?) \| /gm)].map(m => m[1]))
  for (const term of Object.keys(GLOSSARY)) assert.ok(rows.has(term), `README glossary lacks "${term}"`)
})
