import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { test, type TestContext } from 'node:test'
import type { WebSocket } from 'ws'
import { Connection } from '../../src/stream/connection.js'

// The backlog policy needs a socket whose backlog the test controls: a real socket only backs up
// after megabytes of kernel buffers fill. This stand-in has the few members Connection uses.
class FakeSocket extends EventEmitter {
  bufferedAmount = 0
  sent: string[] = []
  closedWith: number | undefined
  terminated = false
  send (data: string): void { this.sent.push(data) }
  ping (): void {}
  close (code: number): void { this.closedWith = code; queueMicrotask(() => this.emit('close')) }
  terminate (): void { this.terminated = true; this.emit('close') }
}

function setup (t: TestContext, opts: { maxBehindMs?: number } = {}) {
  const socket = new FakeSocket()
  let drops = 0
  let released = 0
  const c = new Connection(socket as unknown as WebSocket, 'j_1', {
    maxBufferedBytes: 1000,
    maxBehindMs: opts.maxBehindMs ?? 60_000,
    pingIntervalMs: 60_000,
    onDrop: () => { drops++ },
    onClose: () => { released++ }
  })
  t.after(() => { c.close(1000, 'test over') })
  const msg = (type: string, seq: number) => ({ type, jobId: 'j_1', seq, at: '', data: {} })
  return { socket, c, msg, drops: () => drops, released: () => released }
}

test('past the backlog limit progress is dropped, lifecycle is kept, and the next message counts the drops', (t) => {
  const { socket, c, msg, drops } = setup(t)
  c.sendSnapshot(msg('snapshot', 1))
  c.send(msg('progress', 2))
  socket.bufferedAmount = 5000
  c.send(msg('progress', 3))
  c.send(msg('progress', 4))
  c.send(msg('run.finished', 5))
  c.send(msg('progress', 6))
  socket.bufferedAmount = 0
  c.send(msg('progress', 7))
  const got = socket.sent.map(s => JSON.parse(s))
  assert.deepEqual(got.map(m => m.seq), [1, 2, 5, 7])
  assert.equal(got[2].dropped, 2, 'the lifecycle message reports the two drops before it')
  assert.equal(got[3].dropped, 1)
  assert.equal(drops(), 3)
})

/** A snapshot at `snapshotSeq`, then `live` messages as [type, seq]: what the client got, as type:seq. */
function delivered (t: TestContext, snapshotSeq: number, live: Array<[string, number]>): string[] {
  const { socket, c, msg } = setup(t)
  c.sendSnapshot(msg('snapshot', snapshotSeq))
  for (const [type, seq] of live) c.send(msg(type, seq))
  return socket.sent.map(s => JSON.parse(s) as { type: string, seq: number }).map(m => `${m.type}:${m.seq}`)
}

test('an event that arrives after the snapshot that reflects it is not sent again (a late NOTIFY from another instance)', (t) => {
  assert.deepEqual(delivered(t, 1, [['job.queued', 1], ['job.started', 2], ['job.started', 2], ['job.finished', 3]]), ['snapshot:1', 'job.started:2', 'job.finished:3'])
})

test('a client that joins after the end gets the terminal event once, with the snapshot\'s seq', (t) => {
  assert.deepEqual(delivered(t, 6, [['run.finished', 5], ['job.finished', 6], ['job.finished', 6]]), ['snapshot:6', 'job.finished:6'])
})

test('messages that race the snapshot are held and delivered after it, in order', (t) => {
  const { socket, c, msg } = setup(t)
  c.send(msg('run.started', 3))
  c.send(msg('progress', 4))
  c.sendSnapshot(msg('snapshot', 2))
  assert.deepEqual(socket.sent.map(s => JSON.parse(s).seq), [2, 3, 4])
})

test('a client that stays behind is closed with 1013 and released', async (t) => {
  const { socket, c, msg, released } = setup(t, { maxBehindMs: 20 })
  c.sendSnapshot(msg('snapshot', 1))
  socket.bufferedAmount = 5000
  c.send(msg('progress', 2))
  await new Promise(resolve => setTimeout(resolve, 40))
  c.send(msg('progress', 3))
  assert.equal(socket.closedWith, 1013)
  assert.equal(released(), 1)
  c.send(msg('job.finished', 4))
  assert.equal(socket.sent.length, 1, 'nothing is sent after the close')
})

test('the terminal event of a job ends its stream with a normal close', (t) => {
  const { socket, c, msg } = setup(t)
  c.sendSnapshot(msg('snapshot', 1))
  c.send(msg('job.failed', 2))
  assert.equal(socket.closedWith, 1000)
})
