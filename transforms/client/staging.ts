import type { ChangeMeta } from '../../src/changeset/types.js'
import type { TransformContext } from '../../src/transform.js'
import type { ScriptEditor } from './editor.js'

/**
 * Stages every client edit of one file in the ChangeSet. The editors (one per script block of the
 * file) computed their edits on the untouched blocks, in block offsets; a block's original start
 * makes them offsets of the file's original text.
 */
export function stageFileEdits(ctx: TransformContext, path: string, editors: readonly ScriptEditor[], meta: ChangeMeta): void {
  for (const editor of editors) {
    const offset = editor.script.block.start
    for (const edit of editor.edits()) ctx.changes.edit(path, { start: offset + edit.start, end: offset + edit.end, text: edit.text }, meta)
  }
}
