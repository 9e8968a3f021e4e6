import type { ChangeMeta } from '../../src/changeset/types.js'
import type { ScriptBlock, SourceUnit } from '../../src/project/types.js'
import type { TransformContext } from '../../src/transform.js'
import { applyEdits, type BlockEdit, type ScriptEditor } from './editor.js'

/** A text edit of a whole file, in the coordinates of its current text. */
export type FileEdit = BlockEdit

/**
 * Hands every client edit of one file to the ChangeSet in one call. The editors (one per script
 * block of the file) computed their edits on the untouched blocks; nothing was written before.
 */
export function stageFileEdits(ctx: TransformContext, path: string, editors: readonly ScriptEditor[], meta: ChangeMeta): void {
  const edits = fileEdits(editors)
  if (edits.length > 0) writeEdited(ctx, path, edits, meta)
}

/** The file's new text, written whole: the ChangeSet takes full texts. */
function writeEdited(ctx: TransformContext, path: string, edits: readonly FileEdit[], meta: ChangeMeta): void {
  const before = ctx.changes.currentText(path)
  if (before === undefined) throw new Error(`${path}: the client edits a file that is gone`)
  ctx.changes.write(path, applyEdits(before, edits), before, meta)
}

/** The editors' edits in the file's coordinates, in the order of its text. */
function fileEdits(editors: readonly ScriptEditor[]): FileEdit[] {
  const inFileOrder = [...editors].sort((a, b) => a.script.block.start - b.script.block.start)
  return inFileOrder.flatMap((ed) => {
    const offset = blockOffset(ed.script.unit, ed.script.block)
    return ed.edits().map((edit) => ({ start: edit.start + offset, end: edit.end + offset, text: edit.text }))
  })
}

/**
 * Where a block's text starts in the file's current text: a `.vue` block's original offset, moved by
 * what earlier blocks of the file grew or shrank. The one place block coordinates become file ones.
 */
function blockOffset(unit: SourceUnit, block: ScriptBlock): number {
  if (unit.kind !== 'vue') return 0
  const growth = unit.scripts
    .filter((other) => other.start < block.start)
    .reduce((sum, other) => sum + other.sourceFile.getFullText().length - (other.end - other.start), 0)
  return block.start + growth
}
