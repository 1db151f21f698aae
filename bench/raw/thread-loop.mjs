// Raw single-thread baseline: one worker receives a batch and posts one message per task, like the
// `serialized` executor's thread, but with a plain synchronous loop and no corebench code.
import { parentPort } from 'node:worker_threads'
import { runTask } from './task.mjs'

parentPort.on('message', (batch) => {
  const msg = { type: 'task', index: 0, workload: batch.workload, params: batch.params }
  for (let i = 0; i < batch.count; i++) {
    msg.index = i
    parentPort.postMessage(runTask(msg))
  }
})
parentPort.postMessage({ type: 'ready' })
