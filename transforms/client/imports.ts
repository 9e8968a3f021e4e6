import { Node, SyntaxKind, type ImportDeclaration, type SourceFile } from 'ts-morph'
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
  const vueImport = sf.getImportDeclarations().find((d) => d.getModuleSpecifierValue() === 'vue' && !d.isTypeOnly() && d.getNamedImports().length > 0)
  if (vueImport) {
    const present = new Set(vueImport.getNamedImports().map((n) => n.getName()))
    for (const name of [...ed.vueNames].sort()) if (!present.has(name) && isReferenced(sf, name)) addNamedImport(vueImport, name)
    for (const named of vueImport.getNamedImports()) {
      if (ed.replacedVueNames.has(named.getName()) && !isReferenced(sf, named.getAliasNode()?.getText() ?? named.getName())) named.remove()
    }
  }
  if (ed.vueTypeNames.size === 0) return
  const typeTarget = vueImport ?? sf.getImportDeclarations().find((d) => d.getModuleSpecifierValue() === 'vue')
  const missing = [...ed.vueTypeNames].sort().filter((name) => !typeTarget?.getNamedImports().some((n) => n.getName() === name))
  if (missing.length === 0) return
  if (typeTarget && !typeTarget.isTypeOnly()) {
    for (const name of missing) addNamedImport(typeTarget, name, true)
  } else if (typeTarget) {
    for (const name of missing) addNamedImport(typeTarget, name)
  } else {
    // Written as text: ts-morph would pick its own quote style for a generated declaration.
    sf.insertStatements(lastImportIndex(sf), `import type { ${missing.join(', ')} } from ${ed.quote('vue')}${ed.style.semicolons ? ';' : ''}`)
  }
}

/**
 * `import { a } from 'vue'` → `import { a, b } from 'vue'`. Written as text after the last name of
 * a one-line list (ts-morph's addNamedImport asks the language service for the indentation, which
 * rebuilds the program after every edit); a multi-line list is left to ts-morph, which keeps its layout.
 */
function addNamedImport(decl: ImportDeclaration, name: string, isTypeOnly = false): void {
  const named = decl.getNamedImports()
  const last = named[named.length - 1]
  const bindings = decl.getImportClause()?.getNamedBindings()
  if (!last || !bindings || bindings.getText().includes('\n')) {
    decl.addNamedImport({ name, isTypeOnly })
    return
  }
  // Replacing the last specifier keeps the other nodes of the file (an insert into the file would forget them all).
  replaceNodeText(last, `${last.getText()}, ${isTypeOnly ? 'type ' : ''}${name}`)
}

function lastImportIndex(sf: SourceFile): number {
  const imports = sf.getStatements().filter((s) => Node.isImportDeclaration(s))
  const last = imports[imports.length - 1]
  return last ? last.getChildIndex() + 1 : 0
}
