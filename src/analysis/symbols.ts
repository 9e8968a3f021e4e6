import { Node, SyntaxKind, type Project, type SourceFile } from 'ts-morph'
import { localDeclarations } from '../ast/scope.js'

/*
 * What a name refers to, without the type checker where it is not needed. Building the checker's
 * program over every parsed file cost more than the rest of the analysis on a large repo, and most
 * names resolve inside their own file. Only a name that some parsed file declares globally
 * (`declare global { var io: Server }`, a script file without imports or exports) is handed to
 * the checker, which then sees exactly what it saw before.
 */

const globalNamesByProject = new WeakMap<Project, Set<string>>()

/** Names declared globally by the files of the project, collected once (before any edit). */
function globalNames(project: Project): Set<string> {
  let names = globalNamesByProject.get(project)
  if (names) return names
  names = new Set()
  for (const file of project.getSourceFiles()) collectGlobalNames(file, names)
  globalNamesByProject.set(project, names)
  return names
}

function collectGlobalNames(file: SourceFile, names: Set<string>): void {
  const isModule = file.getStatements().some((statement) =>
    Node.isImportDeclaration(statement) || Node.isExportDeclaration(statement) || Node.isExportAssignment(statement) ||
    (Node.isModifierable(statement) && statement.hasModifier(SyntaxKind.ExportKeyword)))
  for (const statement of file.getStatements()) {
    if (Node.isModuleDeclaration(statement) && statement.getName() === 'global') {
      for (const inner of statement.getStatements()) addDeclaredNames(inner, names)
    } else if (!isModule) {
      addDeclaredNames(statement, names)
    }
  }
}

function addDeclaredNames(statement: Node, names: Set<string>): void {
  if (Node.isVariableStatement(statement)) {
    for (const declaration of statement.getDeclarations()) names.add(declaration.getName())
  } else if (isNamedDeclaration(statement) || Node.isModuleDeclaration(statement)) {
    const name = statement.getName()
    if (name) names.add(name)
  }
}

/** A function, class, interface, type or enum declaration: a statement that declares one name. */
function isNamedDeclaration(statement: Node) {
  return Node.isFunctionDeclaration(statement) || Node.isClassDeclaration(statement) || Node.isInterfaceDeclaration(statement) ||
    Node.isTypeAliasDeclaration(statement) || Node.isEnumDeclaration(statement)
}

/** The declarations `node` refers to (an import specifier for an imported name, as `getSymbol()` gives). */
export function declarationsOf(node: Node): Node[] {
  if (!Node.isIdentifier(node)) return node.getSymbol()?.getDeclarations() ?? []
  const local = localDeclarations(node)
  if (local.length > 0) return local
  if (!globalNames(node.getProject()).has(node.getText())) return []
  return node.getSymbol()?.getDeclarations() ?? []
}

/**
 * What a module's own statements export, each once: a declaration (`export const x`, `export
 * default function`), an expression or local name (`export default io`, `export { io as x }`), a name
 * re-exported from another module (`export { a as b } from './x'`), or all of another module (`export *`).
 */
type ModuleExport =
  | { name: string; declaration: Node }
  | { name: string; value: Node }
  | { name: string; from: string; imported: string }
  | { star: string }

function* moduleExports(file: SourceFile): Generator<ModuleExport> {
  for (const statement of file.getStatements()) {
    if (Node.isExportAssignment(statement)) {
      if (!statement.isExportEquals()) yield { name: 'default', value: statement.getExpression() }
    } else if (Node.isExportDeclaration(statement)) {
      const from = statement.getModuleSpecifierValue()
      if (statement.isNamespaceExport()) {
        if (from !== undefined) yield { star: from }
        continue
      }
      for (const specifier of statement.getNamedExports()) {
        const name = specifier.getAliasNode()?.getText() ?? specifier.getName()
        yield from !== undefined ? { name, from, imported: specifier.getName() } : { name, value: specifier.getNameNode() }
      }
    } else if (Node.isVariableStatement(statement)) {
      if (statement.isExported()) for (const declaration of statement.getDeclarations()) yield { name: declaration.getName(), declaration }
    } else if (isNamedDeclaration(statement) && statement.isExported()) {
      const name = statement.isDefaultExport() ? 'default' : statement.getName()
      if (name) yield { name, declaration: statement }
    }
  }
}

/**
 * The declarations a module exports under `name` (`default` for the default export), following
 * `export { a as b }`, `export { a } from './x'`, `export * from './x'` and re-exported imports
 * through `resolve`, as ts-morph's `getExportedDeclarations()` does with the checker.
 */
export function exportedDeclarations(file: SourceFile, name: string, resolve: ResolveModule, seen = new Set<SourceFile>()): Node[] {
  if (seen.has(file)) return []
  seen.add(file)
  const found: Node[] = []
  const starSources: string[] = []
  for (const entry of moduleExports(file)) {
    if ('star' in entry) starSources.push(entry.star)
    else if (entry.name !== name) continue
    else if ('declaration' in entry) found.push(entry.declaration)
    else if ('value' in entry) found.push(...throughIdentifier(entry.value, resolve, seen))
    else {
      const target = resolve(file, entry.from)
      if (target) found.push(...exportedDeclarations(target, entry.imported, resolve, seen))
    }
  }
  if (found.length === 0 && name !== 'default') {
    for (const from of starSources) {
      const target = resolve(file, from)
      if (target) found.push(...exportedDeclarations(target, name, resolve, seen))
    }
  }
  return found
}

/** The names a module exports itself (`default` included), as `getExportedDeclarations().keys()` lists them. */
export function exportedNames(file: SourceFile): string[] {
  const names = new Set<string>()
  for (const entry of moduleExports(file)) if ('name' in entry) names.add(entry.name)
  return [...names]
}

export type ResolveModule = (from: SourceFile, specifier: string) => SourceFile | undefined

/** `export default io` / `export { io }`: the declarations behind the name, through imports into other files. */
function throughIdentifier(expression: Node, resolve: ResolveModule, seen: Set<SourceFile>): Node[] {
  if (!Node.isIdentifier(expression)) return [expression]
  const result: Node[] = []
  for (const declaration of declarationsOf(expression)) {
    const imported = importedFrom(declaration)
    if (!imported) {
      result.push(declaration)
      continue
    }
    const target = resolve(declaration.getSourceFile(), imported.module)
    if (target) result.push(...exportedDeclarations(target, imported.name, resolve, new Set(seen)))
  }
  return result
}

function importedFrom(declaration: Node): { module: string; name: string } | undefined {
  const importDeclaration = declaration.getFirstAncestorByKind(SyntaxKind.ImportDeclaration)
  if (!importDeclaration) return undefined
  const module = importDeclaration.getModuleSpecifierValue()
  if (Node.isImportSpecifier(declaration)) return { module, name: declaration.getName() }
  if (Node.isImportClause(declaration)) return { module, name: 'default' }
  return undefined
}
