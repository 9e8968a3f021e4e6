import path from 'node:path'

/** A line of a Markdown file that still describes the app as running on Socket.IO. */
export interface DocMention {
  line: number
  /** The line as written, trimmed. */
  code: string
  /** Set when the line links a file the migration deletes. */
  linkedDeletedFile?: string
}

const SOCKET_IO = /socket\.?io/i

/**
 * Lines of one Markdown file that mention Socket.IO or name a deleted file (in a link or as a path in
 * backticks). Fenced code blocks count too: a setup snippet that starts a Socket.IO server is as stale
 * as the prose around it.
 */
export function docMentions(docPath: string, text: string, deletedFiles: readonly string[]): DocMention[] {
  const docDir = path.posix.dirname(docPath)
  const mentions: DocMention[] = []
  text.split(/\r?\n/).forEach((raw, index) => {
    const linked = deletedFiles.find((file) => namesFile(raw, file, docDir))
    if (linked === undefined && !SOCKET_IO.test(raw)) return
    mentions.push({ line: index + 1, code: raw.trim(), ...(linked === undefined ? {} : { linkedDeletedFile: linked }) })
  })
  return mentions
}

/** The line links `file` relative to the doc (`](../docs/X.md)`) or names its repo path (`` `docs/X.md` ``). */
function namesFile(line: string, file: string, docDir: string): boolean {
  if (line.includes(file)) return true
  for (const match of line.matchAll(/\]\(([^)\s#]+)/g)) {
    if (path.posix.normalize(path.posix.join(docDir, match[1]!)) === file) return true
  }
  return false
}
