import { spawn } from 'node:child_process'
import type { Socket } from 'node:net'

// `read` fails at end of input, so the loop ends once the pipe's only writer, the coordinator, is
// gone: the kernel closes its end however it died (SIGKILL, OOM kill, crash). Then the pool's
// children are SIGKILLed. dash and bash both have `read` built in: the watch is one sleeping shell.
const SCRIPT = 'while read -r _; do :; done; kill -9 "$@" 2>/dev/null'

export interface ParentWatch {
  /** Ends the watch without killing anything: call once the children have exited. */
  stop: () => void
}

/**
 * Makes the child processes `pids` die within milliseconds of this process's death, even while
 * their main threads are busy in synchronous tasks (IPC 'disconnect' and timers would wait for the
 * task to end). Node has no PR_SET_PDEATHSIG; a small `sh` blocked on a pipe from this process does
 * the same from outside the children. One per pool, not one per child: an earlier watch thread
 * inside every child cost the `process` executor ~10 % per task of dispatch overhead by its mere
 * presence (an idle thread cost as much as a polling one; bench `dispatch`, issue 13). Where no
 * `sh` can start, children still exit on 'disconnect' once their task ends.
 */
export function killWithThisProcess (pids: readonly number[]): ParentWatch {
  const sh = spawn('/bin/sh', ['-c', SCRIPT, 'corebench-parent-watch', ...pids.map(String)], { stdio: ['pipe', 'ignore', 'ignore'] })
  sh.on('error', () => {})
  sh.stdin.on('error', () => {})
  // Neither the shell nor its pipe may keep this process alive.
  sh.unref()
  const pipe = sh.stdin as Socket
  pipe.unref()
  return {
    stop: () => {
      // Kill the shell before closing the pipe, so that the end of input never reaches its `kill`.
      sh.kill('SIGKILL')
      pipe.destroy()
    }
  }
}
