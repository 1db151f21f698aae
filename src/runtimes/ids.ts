/**
 * A runtime is the language the tasks run in. `node` is this process's own; `python` runs the
 * harness in python/ under a GIL build, `python-nogil` under a free-threaded one (the GIL really
 * off). In display and cell order. No imports: the CLI checks ids without loading the server.
 */
export const RUNTIME_IDS = ['node', 'python', 'python-nogil'] as const
export type RuntimeId = typeof RUNTIME_IDS[number]
