import { Node, type Project, type SourceFile } from 'ts-morph'
import type { Repo } from '../project/types.js'
import { autoImportedNames, isAutoImportPath } from '../verify/known-names.js'
import { declarationsOf, exportedDeclarations } from './symbols.js'
import { followImport, resolveModule } from './server/imports.js'
import { unwrapExpression } from '../ast/expression.js'
import { stringValue } from './client/syntax.js'

/*
 * Apps name their events with string literals, or with constants they declare once for the client
 * and the server: `enum SocketEvent { Join = 'join' }`, `export const EVENTS = { join: 'join' } as
 * const`, `const JOIN = 'join'`. Such a name is the string it stands for, found through the file's
 * own declarations, its imports, or (for Nuxt's auto-imported `utils/`, `shared/utils/` ...) by the
 * name among the files Nuxt imports from.
 */

const repos = new WeakMap<Project, Repo>()
const autoImportsByRepo = new WeakMap<Repo, Map<string, string[]>>()

/** Lets event names be followed through the repo's imports and auto-imports; the analysis calls it once. */
export function resolveEventNamesIn(repo: Repo): void {
  repos.set(repo.project, repo)
}

const MAX_DEPTH = 4

/** The event an emit or a listener names with `node`, when it is a literal or a constant of the app; undefined otherwise. */
export function eventName(node: Node | undefined, depth = 0): string | undefined {
  if (!node || depth > MAX_DEPTH) return undefined
  const literal = stringValue(node)
  if (literal !== undefined) return literal
  const inner = unwrapExpression(node)
  if (inner !== node) return eventName(inner, depth + 1)
  if (Node.isIdentifier(node)) return constantValue(declarationsFor(node), undefined, depth)
  const member = memberAccess(node)
  if (member) return constantValue(declarationsFor(member.object), member.name, depth)
  return undefined
}

/** `Events.join`, `Events['join']` on an identifier: the identifier and the member name. */
function memberAccess(node: Node): { object: Node; name: string } | undefined {
  if (Node.isPropertyAccessExpression(node)) {
    const object = node.getExpression()
    return Node.isIdentifier(object) ? { object, name: node.getName() } : undefined
  }
  if (Node.isElementAccessExpression(node)) {
    const object = node.getExpression()
    const name = stringValue(node.getArgumentExpression())
    return Node.isIdentifier(object) && name !== undefined ? { object, name } : undefined
  }
  return undefined
}

/** The value of a `const`, or of one member of an enum or a constant object literal; undefined unless exactly one value is found. */
function constantValue(declarations: Node[], member: string | undefined, depth: number): string | undefined {
  const values = new Set<string | undefined>()
  for (const declaration of declarations) values.add(valueOf(declaration, member, depth))
  const [value] = values
  return values.size === 1 ? value : undefined
}

function valueOf(declaration: Node, member: string | undefined, depth: number): string | undefined {
  if (Node.isEnumDeclaration(declaration)) {
    if (member === undefined) return undefined
    return stringValue(declaration.getMember(member)?.getInitializer())
  }
  if (!Node.isVariableDeclaration(declaration) || !declaration.getVariableStatement()?.getDeclarationKind().startsWith('const')) return undefined
  const initializer = declaration.getInitializer()
  if (member === undefined) return eventName(initializer, depth + 1)
  const object = initializer && unwrapExpression(initializer)
  if (!object || !Node.isObjectLiteralExpression(object)) return undefined
  const property = object.getProperty(member) ?? object.getProperty(`'${member}'`) ?? object.getProperty(`"${member}"`)
  return property && Node.isPropertyAssignment(property) ? eventName(property.getInitializer(), depth + 1) : undefined
}

/** What a name refers to: its declaration in the file, through an import, or an auto-imported export of that name. */
function declarationsFor(identifier: Node): Node[] {
  const repo = repos.get(identifier.getProject())
  const own = declarationsOf(identifier)
  if (own.length > 0) {
    if (!repo) return own
    return own.flatMap((declaration) => followImport(repo, declaration) ?? [declaration])
  }
  return repo ? autoImported(repo, identifier.getText()) : []
}

function autoImported(repo: Repo, name: string): Node[] {
  const files = autoImportFiles(repo).get(name) ?? []
  return files.flatMap((path) => {
    const file = repo.getUnit(path)?.scripts[0]?.sourceFile
    return file ? exportedDeclarations(file, name, (from: SourceFile, specifier: string) => resolveModule(repo, from, specifier)) : []
  })
}

/** Exported name → the auto-imported files exporting it, read once per repo. */
function autoImportFiles(repo: Repo): Map<string, string[]> {
  let byName = autoImportsByRepo.get(repo)
  if (byName) return byName
  byName = new Map()
  for (const path of repo.files) {
    if (!isAutoImportPath(path)) continue
    const text = repo.readText(path)
    if (text === undefined) continue
    for (const name of autoImportedNames(path, text)) byName.set(name, [...(byName.get(name) ?? []), path])
  }
  autoImportsByRepo.set(repo, byName)
  return byName
}
