/**
 * Splits a text stream into lines in time linear in its length, whatever the chunking.
 *
 * The obvious `(partial + chunk).split('\n')` re-scans the whole unterminated tail on every chunk:
 * a 30 MB line read in 64 KB chunks costs ~7 GB of scanning, seconds on the event loop that also
 * serves the API (issue 15 §5). Here each chunk is scanned once for newlines and kept as it is; the
 * pieces of a line are joined once, when its newline arrives.
 *
 * A line longer than `maxLineChars` (counted in UTF-16 code units, as `String#length` does) is never
 * assembled: `onTooLong` is called once and the reader stops, since its framing can no longer be trusted.
 */
export class LineReader {
  private pieces: string[] = []
  private pending = 0
  private stopped = false

  constructor (
    private readonly onLine: (line: string) => void,
    private readonly maxLineChars: number,
    private readonly onTooLong: (chars: number) => void
  ) {}

  /** Feeds one chunk (decoded text: give the stream `setEncoding('utf8')` so no character is split). */
  push (chunk: string): void {
    let from = 0
    for (let nl = chunk.indexOf('\n'); nl >= 0 && !this.stopped; nl = chunk.indexOf('\n', from)) {
      if (this.pending + nl - from > this.maxLineChars) { this.tooLong(this.pending + nl - from); return }
      const tail = chunk.slice(from, nl)
      let line = tail
      if (this.pieces.length > 0) {
        this.pieces.push(tail)
        line = this.pieces.join('')
        this.pieces = []
        this.pending = 0
      }
      from = nl + 1
      this.onLine(line)
    }
    if (this.stopped || from === chunk.length) return
    this.pieces.push(from === 0 ? chunk : chunk.slice(from))
    this.pending += chunk.length - from
    if (this.pending > this.maxLineChars) this.tooLong(this.pending)
  }

  /** The stream ended: an unterminated last line is still a line. */
  end (): void {
    if (this.stopped || this.pieces.length === 0) return
    const line = this.pieces.join('')
    this.pieces = []
    this.pending = 0
    this.onLine(line)
  }

  /** Stops reading: later chunks are ignored. */
  stop (): void {
    this.stopped = true
    this.pieces = []
    this.pending = 0
  }

  private tooLong (chars: number): void {
    this.stop()
    this.onTooLong(chars)
  }
}
