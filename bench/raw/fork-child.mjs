// Raw fork + IPC baseline child: answer each task message with its result, nothing else.
import { runTask } from './task.mjs'

process.on('message', (msg) => { process.send(runTask(msg)) })
process.on('disconnect', () => process.exit(0))
process.send({ type: 'ready' })
