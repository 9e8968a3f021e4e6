/** `.env.example` keys that configure Socket.IO (PATTERNS.md §8). */
const SOCKET_ENV = /^\s*(export\s+)?(NUXT_(PUBLIC_)?)?(SOCKET_IO_[A-Z0-9_]*|WS_PORT)\s*=/

/** A comment line that introduces the Socket.IO settings (`# Socket.IO (optional)`). */
const SOCKET_COMMENT = /^\s*#.*\b(socket\.?io|websocket)\b/i

/**
 * Remove Socket.IO variables from an env example file, with the comment heading them when the
 * whole group goes, and without leaving two blank lines in a row or a blank first line. Returns the removed keys.
 */
export function removeSocketIoEnv(text: string): { text: string; removed: string[] } {
  const lines = text.split('\n')
  const removed: string[] = []
  const keep = lines.map(() => true)
  lines.forEach((line, index) => {
    if (!SOCKET_ENV.test(line)) return
    keep[index] = false
    removed.push(line.split('=')[0]!.replace(/^\s*export\s+/, '').trim())
  })
  if (removed.length === 0) return { text, removed }
  // A heading comment goes when every variable of its group (up to the next blank line) went.
  lines.forEach((line, index) => {
    if (!SOCKET_COMMENT.test(line)) return
    let end = index + 1
    while (end < lines.length && lines[end]!.trim() !== '' && !lines[end]!.trim().startsWith('#')) end++
    const group = keep.slice(index + 1, end)
    if (group.length > 0 && group.every((kept) => !kept)) keep[index] = false
  })
  const result: string[] = []
  lines.forEach((line, index) => {
    if (!keep[index]) return
    const previous = result[result.length - 1]
    const startsFile = previous === undefined && lines[0]!.trim() !== ''
    if (line.trim() === '' && (startsFile || (previous !== undefined && previous.trim() === ''))) return
    result.push(line)
  })
  return { text: result.join('\n'), removed }
}

/** Add `KEY=value` after the line defining `afterKey` (or at the end), unless the key is already there. */
export function addEnvLine(text: string, key: string, value: string, afterKey: string | undefined, comment: string): string {
  const lines = text.split('\n')
  if (lines.some((line) => line.trim().startsWith(`${key}=`))) return text
  const anchor = afterKey === undefined ? -1 : lines.findIndex((line) => line.trim().startsWith(`${afterKey}=`))
  const entry = [`# ${comment}`, `${key}=${value}`]
  if (anchor >= 0) {
    lines.splice(anchor + 1, 0, ...entry)
    return lines.join('\n')
  }
  const trailingNewline = text.endsWith('\n')
  const body = trailingNewline ? lines.slice(0, -1) : lines
  return [...body, '', ...entry].join('\n') + (trailingNewline ? '\n' : '')
}

/** The value of `KEY=value` in an env file, when present. */
export function envValue(text: string, key: string): string | undefined {
  const line = text.split('\n').find((candidate) => candidate.trim().startsWith(`${key}=`))
  return line?.slice(line.indexOf('=') + 1).trim()
}
