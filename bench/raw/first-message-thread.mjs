// Raw start-up baseline: a worker thread whose whole module is its first message.
import { parentPort } from 'node:worker_threads'
parentPort.postMessage({ type: 'ready' })
