import path from 'node:path'
import { Node, SyntaxKind, type SourceFile } from 'ts-morph'
import type { Repo } from '../../project/types.js'
import { declarationsOf as symbolDeclarations, exportedDeclarations } from '../symbols.js'

const EXTENSIONS = ['', '.ts', '.mts', '.js', '.mjs', '/index.ts', '/index.js']

/** Candidate repo-relative paths for a module specifier: relative paths and the Nuxt aliases. */
function candidateBases(repo: Repo, fromPath: string, specifier: string): string[] {
  const { rootDir, srcDir, serverDir } = repo.layout
  const fromDir = path.posix.dirname(fromPath)
  if (specifier.startsWith('./') || specifier.startsWith('../')) return [path.posix.join(fromDir, specifier)]
  const alias = /^(~~|@@|~|@|#server)\/(.*)$/.exec(specifier)
  if (!alias) return []
  const [, prefix, rest = ''] = alias
  const base = prefix === '~~' || prefix === '@@' ? rootDir : prefix === '#server' ? serverDir : srcDir
  return [path.posix.join(repo.relative(base), rest)]
}

/**
 * The source file a module specifier refers to. Uses the repo's own files, so it works whether or
 * not the ts-morph project knows Nuxt's path aliases. Package imports resolve to undefined.
 */
export function resolveModule(repo: Repo, from: SourceFile, specifier: string): SourceFile | undefined {
  const unit = repo.unitOf(from)
  const fromPath = unit?.path ?? repo.relative(from.getFilePath())
  for (const base of candidateBases(repo, fromPath, specifier)) {
    // `./socket.js` written for NodeNext resolves to `./socket.ts`
    const stems = /\.(m?js)$/.test(base) ? [base, base.replace(/\.m?js$/, '')] : [base]
    for (const stem of stems) {
      for (const extension of EXTENSIONS) {
        const candidate = path.posix.normalize(stem + extension).replace(/^\.\//, '')
        const target = repo.getUnit(candidate)
        const script = target?.scripts[0]
        if (target && target.kind !== 'vue' && script) return script.sourceFile
      }
    }
  }
  return undefined
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
