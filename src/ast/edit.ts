import type { CodeBlockWriter, Node, SourceFile } from 'ts-morph'

/*
 * ts-morph's `replaceWithText` first asks the language service for the indentation at the node, so
 * that the lines after the first can be re-indented. After any edit that means a new program over
 * every parsed file: on a large repo this was a third of the transforms' time. A one-line text has
 * no lines to re-indent, and a whole file starts at indentation 0, so both skip the question.
 */

/** Internal to ts-morph (present since its first versions): a writer with the project's settings, and the writer parameter of `replaceWithText`. */
interface Writing {
  _getWriter(): CodeBlockWriter
  replaceWithText(text: string, writer: CodeBlockWriter): Node
}

/** `node.replaceWithText(text)`, without the language service when `text` is one line. */
export function replaceNodeText(node: Node, text: string): Node {
  if (text.includes('\n')) return node.replaceWithText(text)
  const writing = node as unknown as Writing
  return writing.replaceWithText(text, writing._getWriter())
}

/** `file.replaceWithText(text)` for a whole file. */
export function replaceFileText(file: SourceFile, text: string): void {
  file.replaceText([file.getPos(), file.getEnd()], text)
}
