import { Node, type ImportDeclaration } from 'ts-morph'
import type { TextEdit } from '../../src/changeset/types.js'

/*
 * Text edits (in the offsets of the node's source file) that remove code the way the project's
 * output has always looked: a removed statement takes the line break before it, a removed import
 * binding its comma.
 */

/**
 * Removes a statement, or a run of adjacent statements from `statement` to `last`: after a previous
 * statement, from its end to the next statement (or the removed one's end), keeping the blank line
 * after the imports; first, up to the next one.
 */
export function statementRemoval(statement: Node, last: Node = statement): TextEdit {
  const previous = statement.getPreviousSibling()
  const next = last.getNextSibling()
  if (previous) {
    if (!next) return { start: previous.getEnd(), end: last.getEnd(), text: '' }
    const text = statement.getSourceFile().getFullText()
    const nextStart = next.getStart(true)
    const lineStart = text.lastIndexOf('\n', nextStart - 1) + 1
    // The blank line that set the imports off from the body stays when the last import goes.
    const endsImports = Node.isImportDeclaration(last) && !Node.isImportDeclaration(next)
    const breaks = endsImports && /^[ \t]*\r?\n[ \t]*\r?\n/.test(text.slice(last.getEnd(), nextStart)) ? '\n\n' : '\n'
    return { start: previous.getEnd(), end: nextStart, text: `${breaks}${text.slice(lineStart, nextStart).match(/^[ \t]*/)![0]}` }
  }
  return { start: statement.getStart(), end: next ? next.getStart(true) : last.getEnd(), text: '' }
}

/**
 * Removes some bindings of an import (named specifiers, the default import clause), or the whole
 * declaration when none would be left.
 */
export function importBindingRemovals(declaration: ImportDeclaration, bindings: readonly Node[]): TextEdit[] {
  const named = declaration.getNamedImports()
  const defaultImport = declaration.getDefaultImport()
  const removesDefault = bindings.some((binding) => Node.isImportClause(binding))
  const keptNamed = named.filter((specifier) => !bindings.includes(specifier))
  if (keptNamed.length === 0 && (!defaultImport || removesDefault) && !declaration.getNamespaceImport()) return [statementRemoval(declaration)]
  const edits: TextEdit[] = []
  if (removesDefault && defaultImport) {
    const rest = declaration.getImportClause()?.getNamedBindings()
    if (rest) edits.push({ start: defaultImport.getStart(), end: rest.getStart(), text: '' })
  }
  if (keptNamed.length === 0 && named.length > 0) {
    // `import io, { a } from` with every named import gone: `import io from`.
    const bindingsNode = declaration.getImportClause()!.getNamedBindings()!
    edits.push({ start: defaultImport!.getEnd(), end: bindingsNode.getEnd(), text: '' })
    return edits
  }
  for (const [index, specifier] of named.entries()) {
    if (keptNamed.includes(specifier)) continue
    const following = named.slice(index + 1).find((other) => keptNamed.includes(other))
    // Before a kept specifier: up to it; otherwise from the kept one before it.
    const preceding = named.slice(0, index).reverse().find((other) => keptNamed.includes(other))
    if (following && !preceding) edits.push({ start: specifier.getStart(), end: named[index + 1]!.getStart(), text: '' })
    else edits.push({ start: named[index - 1]!.getEnd(), end: specifier.getEnd(), text: '' })
  }
  return edits
}
