import path from 'node:path'
import { Node, type SourceFile } from 'ts-morph'
import type { Repo } from '../../project/types.js'
import type { CodeStyle } from '../../style/types.js'
import { referencesOf } from './cleanup.js'
import { followImport } from './imports.js'
import type { ServerModel } from './types.js'

/** Modules that re-export Nitro's auto-imports, server utils included. */
const AUTO_IMPORT_HUBS = new Set(['#imports'])

/**
 * Make the SSE helpers available in a file the way it already gets server utils: when it imports a
 * server util explicitly (`~~/server/utils/auth`, `../utils/db`, `#imports`), import the helpers the
 * same way; otherwise Nitro auto-imports `server/utils/sse.ts` and nothing is added.
 */
export function importHelpers(repo: Repo, model: ServerModel, file: SourceFile, helpers: readonly string[], style: CodeStyle): void {
  if (helpers.length === 0) return
  const utilsDir = `${repo.relative(repo.layout.serverDir)}/utils/`
  const declarations = file.getImportDeclarations()
  const specifierOf = (declaration: (typeof declarations)[number]): string => declaration.getModuleSpecifierValue()
  const existing = declarations.find((declaration) => {
    const target = model.resolveImportSourceFile(file, specifierOf(declaration))
    return target !== undefined && /\/utils\/sse\.(ts|js|mts|mjs)$/.test(target.getFilePath()) && !declaration.isTypeOnly()
  }) ?? declarations.find((declaration) => AUTO_IMPORT_HUBS.has(specifierOf(declaration)) && !declaration.isTypeOnly())
  if (existing) {
    const present = new Set(existing.getNamedImports().map((named) => named.getName()))
    const missing = helpers.filter((helper) => !present.has(helper))
    if (missing.length > 0) existing.addNamedImports(missing)
    return
  }
  const utilImport = declarations.find((declaration) => {
    const target = model.resolveImportSourceFile(file, specifierOf(declaration))
    return target !== undefined && repo.relative(target.getFilePath()).startsWith(utilsDir)
  })
  if (!utilImport) return
  const specifier = siblingSpecifier(specifierOf(utilImport), 'sse')
  const text = `import { ${[...helpers].sort().join(', ')} } from ${style.quote}${specifier}${style.quote}${style.semicolons ? ';' : ''}`
  const last = declarations[declarations.length - 1]!
  file.insertStatements(last.getChildIndex() + 1, text)
}

/** `~~/server/utils/auth` → `~~/server/utils/sse`; keeps a `.js` suffix written for NodeNext. */
function siblingSpecifier(specifier: string, name: string): string {
  const extension = path.posix.extname(specifier)
  const base = path.posix.dirname(specifier)
  const joined = `${base}/${name}${/^\.m?js$/.test(extension) ? extension : ''}`
  return specifier.startsWith('./') && !joined.startsWith('.') ? `./${joined}` : joined
}

/**
 * Remove imports that only served io and are unused now: getters (`getSocketIO`), singletons
 * (`socketServer`), `io` bindings, `socket.io` types, and an explicit `useNitroApp` import.
 */
export function removeUnusedIoImports(repo: Repo, model: ServerModel, file: SourceFile): void {
  for (const declaration of file.getImportDeclarations()) {
    const module = declaration.getModuleSpecifierValue()
    const bindings: Node[] = [...declaration.getNamedImports()]
    const clause = declaration.getImportClause()
    if (clause?.getDefaultImport()) bindings.push(clause)
    let removed = false
    for (const binding of bindings) {
      if (referencesOf(binding).length > 0) continue
      if (!servesIo(repo, model, binding, module)) continue
      if (Node.isImportSpecifier(binding)) binding.remove()
      else declaration.removeDefaultImport()
      removed = true
    }
    if (removed && declaration.getNamedImports().length === 0 && !declaration.getDefaultImport() && !declaration.getNamespaceImport()) {
      declaration.remove()
    }
  }
}

function servesIo(repo: Repo, model: ServerModel, binding: Node, module: string): boolean {
  if (module === 'socket.io') return true
  const name = Node.isImportSpecifier(binding) ? binding.getName() : undefined
  if (name === 'useNitroApp') return true
  const targets = followImport(repo, binding) ?? []
  return targets.some((target) => model.isIoHolder(target) || holdsIoProperty(model, target))
}

/** `export default { io: null as Server | null }` */
function holdsIoProperty(model: ServerModel, target: Node): boolean {
  const literal = Node.isExportAssignment(target) ? target.getExpression() : target
  if (!Node.isObjectLiteralExpression(literal)) return false
  return literal.getProperties().some((property) => model.isIoHolder(property))
}
