import { Node, SyntaxKind, type ImportDeclaration, type ImportSpecifier, type SourceFile } from 'ts-morph'
import { CLIENT_PACKAGE } from '../../src/analysis/client/imports.js'
import { STREAM_TYPE, STREAM_TYPE_MODULE, type ScriptEditor } from './editor.js'
import { identifiers } from '../../src/ast/walk.js'
import { replaceNodeText } from '../../src/ast/edit.js'

/** Identifiers of the file still referring to a name, outside import declarations. */
function isReferenced(sf: SourceFile, name: string): boolean {
  return identifiers(sf, name).some((id) => !id.getFirstAncestorByKind(SyntaxKind.ImportDeclaration) && !isMemberName(id))
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
    const localNames = importedNames(decl)
    const used = localNames.filter((name) => isReferenced(sf, name))
    if (used.length === 0) {
      if (typeImported) decl.remove()
      else replaceNodeText(decl, typeImport)
      typeImported = true
      continue
    }
    for (const named of decl.getNamedImports()) {
      const local = named.getAliasNode()?.getText() ?? named.getName()
      if (!used.includes(local)) named.remove()
    }
  }
  if (!typeImported) sf.insertStatements(lastImportIndex(sf), typeImport)
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
    for (const name of [...ed.vueNames].sort()) if (!present.has(name) && isReferenced(sf, name)) editOf(vueImport).added.push(name)
    for (const named of vueImport.getNamedImports()) {
      if (ed.replacedVueNames.has(named.getName()) && !isReferenced(sf, named.getAliasNode()?.getText() ?? named.getName())) editOf(vueImport).removed.push(named)
    }
  }
  const typeTarget = vueImport ?? sf.getImportDeclarations().find((d) => d.getModuleSpecifierValue() === 'vue')
  const missing = [...ed.vueTypeNames].sort().filter((name) => !typeTarget?.getNamedImports().some((n) => n.getName() === name))
  if (typeTarget) {
    for (const name of missing) editOf(typeTarget).added.push(typeTarget.isTypeOnly() ? name : `type ${name}`)
  } else if (missing.length > 0) {
    // Written as text: ts-morph would pick its own quote style for a generated declaration.
    sf.insertStatements(lastImportIndex(sf), `import type { ${missing.join(', ')} } from ${ed.quote('vue')}${ed.style.semicolons ? ';' : ''}`)
  }
  for (const [decl, { added, removed }] of edits) editNamedImports(decl, added, removed)
}

/**
 * `import { a, ref } from 'vue'` → `import { a, shallowRef } from 'vue'` as one text replacement of the
 * list, in its own layout: one line with its spacing, or one name per line with its indentation
 * (ts-morph's addNamedImport asks the language service for the indentation, which rebuilds the
 * program after every edit, and each edit reparses the file). Any other layout, or a list that
 * would end up empty, is left to ts-morph.
 */
function editNamedImports(decl: ImportDeclaration, added: string[], removed: ImportSpecifier[]): void {
  if (added.length === 0 && removed.length === 0) return
  const bindings = decl.getImportClause()?.getNamedBindings()
  const specifiers = decl.getNamedImports()
  const kept = specifiers.filter((named) => !removed.includes(named))
  const items = [...kept.map((named) => named.getText()), ...added]
  const text = bindings && Node.isNamedImports(bindings) ? bindings.getText() : undefined
  const trailingComma = text !== undefined && /,\s*\}$/.test(text)
  if (text !== undefined && items.length > 0 && !text.includes('\n')) {
    const [open, close] = [/^\{\s/.test(text) ? '{ ' : '{', /\s\}$/.test(text) ? ' }' : '}']
    replaceNodeText(bindings!, `${open}${items.join(', ')}${trailingComma ? ',' : ''}${close}`)
    return
  }
  const layout = text !== undefined && items.length > 0 ? onePerLine(decl, specifiers, text) : undefined
  if (layout) {
    const lines = items.map((item) => `${layout.indent}${item}`).join(',\n')
    replaceNodeText(bindings!, `{\n${lines}${trailingComma ? ',' : ''}\n${layout.closeIndent}}`)
    return
  }
  for (const name of added) decl.addNamedImport(name.startsWith('type ') ? { name: name.slice(5), isTypeOnly: true } : name)
  for (const named of removed) named.remove()
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

function lastImportIndex(sf: SourceFile): number {
  const imports = sf.getStatements().filter((s) => Node.isImportDeclaration(s))
  const last = imports[imports.length - 1]
  return last ? last.getChildIndex() + 1 : 0
}
