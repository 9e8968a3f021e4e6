import { structuredPatch } from 'diff'
import type { FileChange } from './types.js'

/** One file's section of a git-style patch, as plain lines (no colour). */
export function filePatchLines(change: FileChange, mode = '100644'): string[] {
  const before = change.kind === 'create' ? '' : change.before
  const after = change.kind === 'delete' ? '' : change.text
  const lines = [`diff --git a/${change.path} b/${change.path}`]
  if (change.kind === 'create') lines.push(`new file mode ${mode}`)
  if (change.kind === 'delete') lines.push(`deleted file mode ${mode}`)
  const patch = structuredPatch(change.path, change.path, before, after, '', '', { context: 3 })
  if (patch.hunks.length === 0) return lines
  lines.push(change.kind === 'create' ? '--- /dev/null' : `--- a/${change.path}`)
  lines.push(change.kind === 'delete' ? '+++ /dev/null' : `+++ b/${change.path}`)
  for (const hunk of patch.hunks) {
    // Unified diff convention: an empty side starts at the line before (0 for an empty file).
    const oldStart = hunk.oldLines === 0 ? hunk.oldStart - 1 : hunk.oldStart
    const newStart = hunk.newLines === 0 ? hunk.newStart - 1 : hunk.newStart
    lines.push(`@@ -${oldStart},${hunk.oldLines} +${newStart},${hunk.newLines} @@`)
    lines.push(...hunk.lines)
  }
  return lines
}

/** The whole ChangeSet as a patch that `git apply` accepts on the untouched repo. */
export function renderPatch(changes: readonly FileChange[], modeOf: (path: string) => string = () => '100644'): string {
  if (changes.length === 0) return ''
  return `${changes.flatMap((change) => filePatchLines(change, modeOf(change.path))).join('\n')}\n`
}
