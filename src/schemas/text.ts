// Text that came from a request (job names, tag values) or from a task (error messages) is shown in
// reports and terminals. These characters change how the text around them is shown instead of being
// shown: C0 and C1 controls and DEL (newlines that forge table rows, ESC that starts a terminal
// control sequence), Unicode line and paragraph separators, and the bidirectional marks, embeddings,
// overrides and isolates that reorder what is displayed (Trojan Source, CVE-2021-42574).

/** The characters above, as the body of a regular-expression character class (needs the `u` flag). */
export const UNSAFE_CHARS = '\\p{Cc}\\u061C\\u200E\\u200F\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069'

/** A JSON Schema `pattern`: one line of plain text, none of the characters above. */
export const PLAIN_TEXT_PATTERN = `^[^${UNSAFE_CHARS}]*$`

/** What a refused value is told (src/plugins/validation.ts shows it instead of the pattern). */
export const PLAIN_TEXT_MESSAGE = 'must be one line of plain text: no control characters (newline, tab, ESC, …), line separators or bidirectional overrides'

const UNSAFE = new RegExp(`[${UNSAFE_CHARS}]`, 'gu')
const UNSAFE_KEEP_LINES = new RegExp(`(?!\\r\\n|\\n|\\t)[${UNSAFE_CHARS}]`, 'gu')
const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

/**
 * Replaces each character above with a visible escape (`\n`, `\u001b`, `\u202e`), so that the text
 * reads the same in any terminal or document. With `keepLines`, line ends (LF, CRLF) and tabs stay
 * as they are: for multi-line documents (a Markdown or CSV report) whose fields are escaped already.
 */
export function escapeUnsafe (s: string, opts: { keepLines?: boolean } = {}): string {
  const re = opts.keepLines === true ? UNSAFE_KEEP_LINES : UNSAFE
  return s.replace(re, c => SHORT[c] ?? `\\u${c.codePointAt(0)?.toString(16).padStart(4, '0') ?? ''}`)
}
