import { Node, SyntaxKind, type ImportDeclaration, type SourceFile } from 'ts-morph'
import type { ScriptEditor } from './editor.js'

/** Identifiers of the file still referring to a name, outside import declarations. */
function isReferenced(sf: SourceFile, name: string): boolean {
  return sf.getDescendantsOfKind(SyntaxKind.Identifier).some((id) => id.getText() === name && !id.getFirstAncestorByKind(SyntaxKind.ImportDeclaration))
}

/** Drops socket.io-client imports the rewritten code no longer uses (all of them, unless something was left for a human). */
export function removeClientImports(ed: ScriptEditor): void {
  const sf = ed.script.block.sourceFile
  for (const decl of ed.script.imports) {
    if (decl.wasForgotten()) continue
    const localNames = importedNames(decl)
    const used = localNames.filter((name) => isReferenced(sf, name))
    if (used.length === 0) {
      decl.remove()
      continue
    }
    for (const named of decl.getNamedImports()) {
      const local = named.getAliasNode()?.getText() ?? named.getName()
      if (!used.includes(local)) named.remove()
    }
  }
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
    for (const name of [...ed.vueNames].sort()) if (!present.has(name) && isReferenced(sf, name)) vueImport.addNamedImport(name)
    for (const named of vueImport.getNamedImports()) {
      if (ed.replacedVueNames.has(named.getName()) && !isReferenced(sf, named.getAliasNode()?.getText() ?? named.getName())) named.remove()
    }
  }
  if (ed.vueTypeNames.size === 0) return
  const typeTarget = vueImport ?? sf.getImportDeclarations().find((d) => d.getModuleSpecifierValue() === 'vue')
  const missing = [...ed.vueTypeNames].sort().filter((name) => !typeTarget?.getNamedImports().some((n) => n.getName() === name))
  if (missing.length === 0) return
  if (typeTarget && !typeTarget.isTypeOnly()) {
    for (const name of missing) typeTarget.addNamedImport({ name, isTypeOnly: true })
  } else if (typeTarget) {
    for (const name of missing) typeTarget.addNamedImport(name)
  } else {
    // Written as text: ts-morph would pick its own quote style for a generated declaration.
    sf.insertStatements(lastImportIndex(sf), `import type { ${missing.join(', ')} } from ${ed.quote('vue')}${ed.style.semicolons ? ';' : ''}`)
  }
}

function lastImportIndex(sf: SourceFile): number {
  const imports = sf.getStatements().filter((s) => Node.isImportDeclaration(s))
  const last = imports[imports.length - 1]
  return last ? last.getChildIndex() + 1 : 0
}
