import type { ScriptEditor } from './editor.js'

const COMMENT_LINE = /^\s*(\/\/|\/\*|\*)/
const MENTIONS_SOCKET_IO = /socket\.?io/i

/** Comments of a migrated block that still describe Socket.IO: the code changed under them, the words did not. */
export function reportSocketComments(ed: ScriptEditor): void {
  const { unit, block } = ed.script
  const firstLine = unit.originalText.slice(0, block.start).split('\n').length
  block.sourceFile.getFullText().split('\n').forEach((text, index) => {
    if (!COMMENT_LINE.test(text) || !MENTIONS_SOCKET_IO.test(text)) return
    ed.reportAt(
      { file: unit.path, line: firstLine + index, code: text.trim() },
      'client/comment-mentions-socket-io',
      ed.kept
        ? 'this comment still describes Socket.IO, which now carries only the events that stay on it (see client/socket-kept)'
        : 'this comment still describes Socket.IO, which the code no longer uses',
      'reword the comment for the SSE stream',
    )
  })
}
