import { Node, type ImportDeclaration, type SourceFile } from 'ts-morph'
import { referencesOf } from '../../src/analysis/server/cleanup.js'
import { fileRange, isEditedNode } from '../../src/changeset/ranges.js'
import type { ChangeMeta } from '../../src/changeset/types.js'
import type { TransformContext } from '../../src/transform.js'
import { importBindingRemovals } from './statement-edits.js'

/**
 * The import bindings (named specifiers, default imports) of a file that `removable` picks and that
 * nothing refers to any more, by declaration. A reference inside code a staged edit replaced or
 * removed no longer counts.
 */
export function unusedImports(
  ctx: TransformContext,
  file: SourceFile,
  removable: (binding: Node, declaration: ImportDeclaration) => boolean,
): Map<ImportDeclaration, Node[]> {
  const used = (binding: Node) => referencesOf(binding).some((reference) => !isEditedNode(ctx.repo, ctx.changes, reference))
  const unused = new Map<ImportDeclaration, Node[]>()
  for (const declaration of file.getImportDeclarations()) {
    const bindings: Node[] = [...declaration.getNamedImports()]
    const clause = declaration.getImportClause()
    if (clause?.getDefaultImport()) bindings.push(clause)
    const picked = bindings.filter((binding) => removable(binding, declaration) && !used(binding))
    if (picked.length > 0) unused.set(declaration, picked)
  }
  return unused
}

/** Stages the removal of those bindings (a declaration left with none goes as a whole, with what was rewritten inside it). */
export function removeImports(ctx: TransformContext, file: SourceFile, unused: ReadonlyMap<ImportDeclaration, Node[]>, meta: ChangeMeta): void {
  for (const [declaration, bindings] of unused) {
    for (const edit of importBindingRemovals(declaration, bindings)) {
      const range = fileRange(ctx.repo, file, edit.start, edit.end)
      ctx.changes.edit(range.path, { start: range.start, end: range.end, text: edit.text }, meta, { supersedes: true })
    }
  }
}
