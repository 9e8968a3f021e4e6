import { Node, SyntaxKind, type ImportDeclaration, type ImportSpecifier } from 'ts-morph'
import { CLIENT_PACKAGE } from '../../src/analysis/client/imports.js'
import { STREAM_TYPE, STREAM_TYPE_MODULE, type ScriptEditor } from './editor.js'

/** The block, once edited, still refers to a name outside import declarations. */
function isReferenced(ed: ScriptEditor, name: string): boolean {
  const { kept, written } = ed.referencesAfterEdits(name)
  return written || kept.some((id) => !id.getFirstAncestorByKind(SyntaxKind.ImportDeclaration) && !isMemberName(id))
}

/** `x.io`, `{ io: 1 }`: a property name, not a reference to the binding. */
function isMemberName(id: Node): boolean {
  const parent = id.getParent()
  if (!parent) return false
  if (Node.isPropertyAccessExpression(parent)) return parent.getNameNode() === id
  if (Node.isPropertyAssignment(parent) || Node.isMethodDeclaration(parent) || Node.isPropertyDeclaration(parent) || Node.isPropertySignature(parent)) return parent.getNameNode() === id
  return false
}

/**
 * Drops socket.io-client imports the rewritten code no longer uses (all of them, unless something
 * was left for a human), and imports the stream's type where the code now names it, in the place
 * of the socket.io-client import when that one goes.
 */
export function replaceClientImports(ed: ScriptEditor): void {
  const sf = ed.script.block.sourceFile
  const typeImport = `import type { ${STREAM_TYPE} } from ${ed.quote(STREAM_TYPE_MODULE)}${ed.style.semicolons ? ';' : ''}`
  let typeImported = !ed.usesStreamType || sf.getImportDeclarations().some((d) => d.getModuleSpecifierValue() === STREAM_TYPE_MODULE)
  for (const decl of sf.getImportDeclarations()) {
    if (decl.getModuleSpecifierValue() !== CLIENT_PACKAGE) continue
    const used = importedNames(decl).filter((name) => isReferenced(ed, name))
    if (used.length === 0) {
      if (typeImported) ed.cutStatement(decl)
      else ed.replace(decl, typeImport)
      typeImported = true
      continue
    }
    const unused = decl.getNamedImports().filter((named) => !used.includes(localName(named)))
    if (unused.length === decl.getNamedImports().length && unused.length > 0) removeAllNamedImports(ed, decl)
    else editNamedImports(ed, decl, [], unused)
  }
  if (!typeImported) addImport(ed, typeImport)
}

function localName(named: ImportSpecifier): string {
  return named.getAliasNode()?.getText() ?? named.getName()
}

/** `import io, { Socket } from 'socket.io-client'` → `import io from 'socket.io-client'`. */
function removeAllNamedImports(ed: ScriptEditor, decl: ImportDeclaration): void {
  const defaultImport = decl.getDefaultImport()
  const bindings = decl.getImportClause()?.getNamedBindings()
  if (defaultImport && bindings) ed.replaceRange(defaultImport.getEnd(), bindings.getEnd(), '')
}

/**
 * Adds an import declaration after the last import the edits keep (on its own line after it), or
 * at the very start of a block without imports.
 */
function addImport(ed: ScriptEditor, text: string): void {
  const last = ed.script.block.sourceFile.getImportDeclarations().filter((decl) => !ed.isRemoved(decl)).at(-1)
  if (last) ed.insert(last.getEnd(), `\n${text}`)
  else ed.insert(0, `${text}\n`)
}

function importedNames(decl: ImportDeclaration): string[] {
  const names = decl.getNamedImports().map((n) => n.getAliasNode()?.getText() ?? n.getName())
  const def = decl.getDefaultImport()?.getText()
  const ns = decl.getNamespaceImport()?.getText()
  return [...names, ...(def ? [def] : []), ...(ns ? [ns] : [])]
}

/**
 * Nuxt auto-imports Vue's helpers, so most files import nothing; a file that imports them from
 * `vue` explicitly gets the new ones there too, and loses the ones the rewrite made unused.
 */
export function updateVueImports(ed: ScriptEditor): void {
  const sf = ed.script.block.sourceFile
  const edits = new Map<ImportDeclaration, { added: string[]; removed: ImportSpecifier[] }>()
  const editOf = (decl: ImportDeclaration) => edits.get(decl) ?? edits.set(decl, { added: [], removed: [] }).get(decl)!
  const vueImport = sf.getImportDeclarations().find((d) => d.getModuleSpecifierValue() === 'vue' && !d.isTypeOnly() && d.getNamedImports().length > 0)
  if (vueImport) {
    const present = new Set(vueImport.getNamedImports().map((n) => n.getName()))
    for (const name of [...ed.vueNames].sort()) if (!present.has(name) && isReferenced(ed, name)) editOf(vueImport).added.push(name)
    for (const named of vueImport.getNamedImports()) {
      if (ed.replacedVueNames.has(named.getName()) && !isReferenced(ed, localName(named))) editOf(vueImport).removed.push(named)
    }
  }
  const typeTarget = vueImport ?? sf.getImportDeclarations().find((d) => d.getModuleSpecifierValue() === 'vue')
  const missing = [...ed.vueTypeNames].sort().filter((name) => !typeTarget?.getNamedImports().some((n) => n.getName() === name))
  if (typeTarget) {
    for (const name of missing) editOf(typeTarget).added.push(typeTarget.isTypeOnly() ? name : `type ${name}`)
  } else if (missing.length > 0) {
    addImport(ed, `import type { ${missing.join(', ')} } from ${ed.quote('vue')}${ed.style.semicolons ? ';' : ''}`)
  }
  for (const [decl, { added, removed }] of edits) editNamedImports(ed, decl, added, removed)
}

/**
 * `import { a, ref } from 'vue'` → `import { a, shallowRef } from 'vue'` as one text replacement of the
 * list, in its own layout: one line with its spacing, or one name per line with its indentation.
 * In any other layout each name is added after the last one kept and each removed one goes with its
 * comma; a list left empty goes with its declaration.
 */
function editNamedImports(ed: ScriptEditor, decl: ImportDeclaration, added: string[], removed: ImportSpecifier[]): void {
  if (added.length === 0 && removed.length === 0) return
  const bindings = decl.getImportClause()?.getNamedBindings()
  const specifiers = decl.getNamedImports()
  const kept = specifiers.filter((named) => !removed.includes(named))
  const items = [...kept.map((named) => named.getText()), ...added]
  const text = bindings && Node.isNamedImports(bindings) ? bindings.getText() : undefined
  const trailingComma = text !== undefined && /,\s*\}$/.test(text)
  if (items.length === 0 && !decl.getDefaultImport()) return ed.cutStatement(decl)
  if (text !== undefined && items.length > 0 && !text.includes('\n')) {
    const [open, close] = [/^\{\s/.test(text) ? '{ ' : '{', /\s\}$/.test(text) ? ' }' : '}']
    ed.replace(bindings!, `${open}${items.join(', ')}${trailingComma ? ',' : ''}${close}`)
    return
  }
  const layout = text !== undefined && items.length > 0 ? onePerLine(decl, specifiers, text) : undefined
  if (layout) {
    const lines = items.map((item) => `${layout.indent}${item}`).join(',\n')
    ed.replace(bindings!, `{\n${lines}${trailingComma ? ',' : ''}\n${layout.closeIndent}}`)
    return
  }
  if (items.length === 0) return removeAllNamedImports(ed, decl)
  if (text === undefined) return addNamedList(ed, decl, items)
  const last = kept.at(-1)
  if (!last) return ed.replace(bindings!, `{ ${items.join(', ')} }`)
  for (const run of removedRuns(specifiers, removed)) removeSpecifiers(ed, run)
  if (added.length > 0) ed.insert(last.getEnd(), added.map((name) => `, ${name}`).join(''))
}

/** `import Vue from 'vue'` → `import Vue, { type Raw } from 'vue'`; beside `import * as Vue from 'vue'`, a declaration of its own. */
function addNamedList(ed: ScriptEditor, decl: ImportDeclaration, items: string[]): void {
  const defaultImport = decl.getDefaultImport()
  if (defaultImport && !decl.getImportClause()?.getNamedBindings()) ed.insert(defaultImport.getEnd(), `, { ${items.join(', ')} }`)
  else addImport(ed, `import { ${items.join(', ')} } from ${decl.getModuleSpecifier().getText()}${ed.style.semicolons ? ';' : ''}`)
}

/** The removed specifiers in runs of neighbours, so that each run is cut as one. */
function removedRuns(specifiers: ImportSpecifier[], removed: ImportSpecifier[]): ImportSpecifier[][] {
  const runs: ImportSpecifier[][] = []
  specifiers.forEach((named, i) => {
    if (!removed.includes(named)) return
    if (i > 0 && removed.includes(specifiers[i - 1]!)) runs.at(-1)!.push(named)
    else runs.push([named])
  })
  return runs
}

/** `a, ref, b` → `a, b`: a run of specifiers goes with the comma after it, or, at the end, with the comma before it. */
function removeSpecifiers(ed: ScriptEditor, run: ImportSpecifier[]): void {
  const [first, last] = [run[0]!, run.at(-1)!]
  const comma = last.getNextSiblingIfKind(SyntaxKind.CommaToken)
  const previousComma = first.getPreviousSiblingIfKind(SyntaxKind.CommaToken)
  if (comma && !previousComma) ed.replaceRange(first.getStart(), comma.getNextSibling()?.getStart() ?? comma.getEnd(), '')
  else if (comma) ed.replaceRange(previousComma!.getEnd(), comma.getEnd(), '')
  else if (previousComma) ed.replaceRange(previousComma.getStart(), last.getEnd(), '')
}

/** The indentation of a `{\n  a,\n  b,\n}` list (each name on its own line), or undefined for another layout. */
function onePerLine(decl: ImportDeclaration, specifiers: ImportSpecifier[], text: string): { indent: string; closeIndent: string } | undefined {
  const file = decl.getSourceFile().getFullText()
  const starts = specifiers.map((named) => named.getStart())
  const lineStart = (pos: number): number => file.lastIndexOf('\n', pos - 1) + 1
  const onOwnLine = starts.every((start) => file.slice(lineStart(start), start).trim() === '')
  const first = starts[0]
  const closeIndent = /\n([ \t]*)\}$/.exec(text)?.[1]
  if (!onOwnLine || first === undefined || closeIndent === undefined) return undefined
  return { indent: file.slice(lineStart(first), first), closeIndent }
}
