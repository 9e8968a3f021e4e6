import type { Node, SourceFile } from 'ts-morph'
import { MigrationError } from '../errors.js'
import type { Repo } from '../project/types.js'
import type { ChangeSet } from './types.js'

/** A range of a file's original text, in whole-file offsets (what `ChangeSet.edit` takes). */
export interface FileRange {
  path: string
  start: number
  end: number
}

/** The repo path of a script block's file and where the block starts in it (0 for .ts/.js, the `<script>` content for .vue). */
export function blockOrigin(repo: Repo, sourceFile: SourceFile): { path: string; offset: number } {
  const unit = repo.unitOf(sourceFile)
  const block = unit?.scripts.find((script) => script.sourceFile === sourceFile)
  if (!unit || !block) throw new MigrationError(`${sourceFile.getFilePath()}: not a script of the repo`)
  return { path: unit.path, offset: block.start }
}

/** A node's range (or `[start, end)` in its block's offsets) as offsets in its file. */
export function fileRange(repo: Repo, node: Node, start = node.getStart(), end = node.getEnd()): FileRange {
  const { path, offset } = blockOrigin(repo, node.getSourceFile())
  return { path, start: offset + start, end: offset + end }
}

/** True when an edit staged so far replaced or removed the code of the node. */
export function isEditedNode(repo: Repo, changes: ChangeSet, node: Node): boolean {
  const { path, start, end } = fileRange(repo, node)
  return changes.isEdited(path, start, end)
}
