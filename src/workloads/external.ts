import type { TObject } from '@sinclair/typebox'
import type { ExternalWorkload } from './packages/load.js'
import { typeBoxParams } from './packages/params.js'

// The workloads of packages (WORKLOADS) that this runner loaded at start: descriptions and module
// paths only. Their code is imported by worker threads and child processes, never here.

const registered = new Map<string, ExternalWorkload & { schema: TObject }>()

/** Makes these package workloads known to this process (replacing any registered before). */
export function registerExternalWorkloads (list: readonly ExternalWorkload[]): void {
  registered.clear()
  for (const w of list) registered.set(w.description.id, { ...w, schema: typeBoxParams(w.description.params as Record<string, unknown>) })
}

/** A registered package workload, or undefined (a built-in id, or one this runner did not load). */
export function externalWorkload (id: string): (ExternalWorkload & { schema: TObject }) | undefined {
  return registered.get(id)
}
