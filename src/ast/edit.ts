import type { CodeBlockWriter, Node, SourceFile } from 'ts-morph'

/*
 * ts-morph's `replaceWithText` first asks the language service for the indentation at the node, so
 * that the lines after the first can be re-indented. After any edit that means a new program over
 * every parsed file: on a large repo this was a third of the transforms' time. And the callers'
 * texts are already laid out for where they go (a rewritten call keeps its arguments' lines as they
 * were), so a re-indent would push every line after the first one level too deep per level of
 * nesting. The text is written as it is.
 */

/** Internal to ts-morph (present since its first versions): a writer with the project's settings, and the writer parameter of `replaceWithText`. */
interface Writing {
  _getWriter(): CodeBlockWriter
  replaceWithText(text: string, writer: CodeBlockWriter): Node
}

/** `node.replaceWithText(text)` with `text` as it is: no language service, no re-indentation. */
export function replaceNodeText(node: Node, text: string): Node {
  const writing = node as unknown as Writing
  return writing.replaceWithText(text, writing._getWriter())
}

/** `file.replaceWithText(text)` for a whole file. */
export function replaceFileText(file: SourceFile, text: string): void {
  file.replaceText([file.getPos(), file.getEnd()], text)
}
