export { discoverPython, FREE_THREADED_COMMANDS, MIN_PYTHON, type DiscoverOptions, type PythonDiscovery, type PythonInterpreter, type PythonRuntimeId } from './discover.js'
export { runPythonFork, SILENCE_GRACE_MS } from './harness.js'
export { HARNESS_ARGS, harnessEnv, harnessMissing, PYTHON_DIR, type PythonForkControl, type PythonForkPlan } from './plan.js'
export { PROTOCOL_VERSION, PYTHON_WORKLOADS, type HarnessPlan, type HelloLine, type PoolLine, type PythonWorkloadId } from './protocol.js'
