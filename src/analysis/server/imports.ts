import { Node, SyntaxKind, type SourceFile } from 'ts-morph'
import type { Repo } from '../../project/types.js'
import { declarationsOf as symbolDeclarations, exportedDeclarations } from '../symbols.js'

/**
 * The source file a module specifier refers to, through the repo's resolver (relative paths and every
 * Nuxt alias). Package imports, .vue files and files outside the scan resolve to undefined.
 */
export function resolveModule(repo: Repo, from: SourceFile, specifier: string): SourceFile | undefined {
  const fromPath = repo.unitOf(from)?.path ?? repo.relative(from.getFilePath())
  const targetPath = repo.resolveImportPath(fromPath, specifier)
  const target = targetPath === undefined ? undefined : repo.getUnit(targetPath)
  return target && target.kind !== 'vue' ? target.scripts[0]?.sourceFile : undefined
}

/**
 * The declarations an identifier refers to, following imports into other files of the repo
 * (`import { getSocketIO } from '~~/server/plugins/socket'` → the function declaration there).
 */
export function declarationsOf(repo: Repo, identifier: Node): Node[] {
  const result: Node[] = []
  for (const declaration of symbolDeclarations(identifier)) {
    const imported = followImport(repo, declaration)
    if (imported) result.push(...imported)
    else result.push(declaration)
  }
  return result
}

/** For an import specifier / default import clause, the exported declarations it binds; undefined for other declarations. */
export function followImport(repo: Repo, declaration: Node): Node[] | undefined {
  let exportName: string
  if (Node.isImportSpecifier(declaration)) {
    exportName = declaration.getName()
  } else if (Node.isImportClause(declaration)) {
    exportName = 'default'
  } else {
    return undefined
  }
  const importDeclaration = declaration.getFirstAncestorByKind(SyntaxKind.ImportDeclaration)
  if (!importDeclaration) return undefined
  const target = resolveModule(repo, declaration.getSourceFile(), importDeclaration.getModuleSpecifierValue())
  if (!target) return []
  return exportedDeclarations(target, exportName, (from, specifier) => resolveModule(repo, from, specifier))
}

/** The module a binding was imported from, when the declaration is an import (`socket.io`, `~~/server/utils/socket`). */
export function importSourceOf(declaration: Node): string | undefined {
  if (!Node.isImportSpecifier(declaration) && !Node.isImportClause(declaration) && !Node.isNamespaceImport(declaration)) return undefined
  return declaration.getFirstAncestorByKind(SyntaxKind.ImportDeclaration)?.getModuleSpecifierValue()
}
