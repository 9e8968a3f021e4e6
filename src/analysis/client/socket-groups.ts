import { Node, SyntaxKind, type ParameterDeclaration } from 'ts-morph'
import type { Repo } from '../../project/types.js'
import { isAutoImportPath } from '../../verify/known-names.js'
import { descendantsOfKind } from '../../ast/walk.js'
import { unwrapExpression } from '../../ast/expression.js'
import { eventName } from '../event-name.js'
import { nodeLocation } from '../../project/locate.js'
import { declarationOf, LIFECYCLE_EVENTS } from './syntax.js'
import type { ClientModel, ClientScript } from './types.js'

const LISTENERS = new Set(['on', 'once'])
/** Causes named in a kept file's follow-up; the rest are counted. */
const MAX_CAUSES_SHOWN = 3
/** Pinia's Nuxt module auto-imports the stores of this folder, as Nuxt does composables. */
const STORES_DIR = /^(?:[\w-]+\/)?stores\//
const PROVIDE_OR_INJECT = /\b(provide|inject)\s*\(\s*(['"`])([^'"`\n]+)\2/g

/** Browser code that cannot run on the SSE handle, so its socket stays as it was: where, and why. */
export interface KeptSocketCause {
  file: string
  /** `file:line:column`, or the file alone. */
  where: string
  reason: string
}

/** A listener taking more arguments than an SSE event delivers (one data value). */
export function multiArgumentListeners(repo: Repo, scripts: readonly ClientScript[]): KeptSocketCause[] {
  const found: KeptSocketCause[] = []
  for (const script of scripts) {
    for (const use of script.members) {
      if (!LISTENERS.has(use.name) || !use.call) continue
      const [eventArg, handler] = use.call.getArguments()
      const event = eventName(eventArg)
      if (event === undefined || LIFECYCLE_EVENTS.has(event) || !handler) continue
      const required = requiredParameters(handler)
      if (required < 2) continue
      const at = nodeLocation(repo, use.call)
      found.push({
        file: script.unit.path,
        where: at ? `${at.file}:${at.line}:${at.column}` : script.unit.path,
        reason: `the \`${event}\` listener takes ${required} arguments, and an SSE event carries one data value`,
      })
    }
  }
  return found
}

/** Parameters a listener needs, for an inline function or one the file declares by that name; 0 when unknown. */
function requiredParameters(handler: Node): number {
  const fn = functionOf(handler)
  if (!fn) return 0
  return fn.getParameters().filter((parameter: ParameterDeclaration) => !parameter.isOptional() && !parameter.isRestParameter() && !parameter.hasInitializer()).length
}

function functionOf(node: Node): { getParameters(): ParameterDeclaration[] } | undefined {
  const expr = unwrapExpression(node)
  if (Node.isArrowFunction(expr) || Node.isFunctionExpression(expr)) return expr
  if (!Node.isIdentifier(expr)) return undefined
  const declaration = declarationOf(expr)
  if (declaration && Node.isFunctionDeclaration(declaration)) return declaration
  const initializer = declaration && Node.isVariableDeclaration(declaration) ? declaration.getInitializer() : undefined
  return initializer && (Node.isArrowFunction(initializer) || Node.isFunctionExpression(initializer)) ? initializer : undefined
}

/**
 * The browser files that share a socket, as groups: a file is with the files whose socket it uses,
 * through an import, a name an auto-imported file exports (a composable, a store), a Nuxt plugin's
 * provide key, or a `provide`/`inject` key. Two files with sockets of their own that share none of
 * these are in groups of their own. `others`: files the client analysis did not see use a socket
 * (one reading a socket it imports as a value), grouped the same way.
 */
export function socketGroups(repo: Repo, client: Pick<ClientModel, 'scripts' | 'plugins'>, others: readonly string[] = []): string[][] {
  const blocksOf = (file: string) => {
    const scripts = client.scripts.filter((script) => script.unit.path === file)
    return scripts.length > 0 ? scripts.map((script) => ({ block: script.block, provided: script.provided.map((use) => use.key) })) : (repo.getUnit(file)?.scripts ?? []).map((block) => ({ block, provided: [] }))
  }
  const files = [...new Set([...client.scripts.map((script) => script.unit.path), ...others.filter((file) => repo.getUnit(file) !== undefined)])]
  const parent = new Map(files.map((file) => [file, file]))
  const find = (file: string): string => {
    let root = file
    while (parent.get(root) !== root) root = parent.get(root)!
    parent.set(file, root)
    return root
  }
  const join = (a: string, b: string) => parent.set(find(a), find(b))
  const exported = new Map<string, string>()
  for (const file of files) {
    if (!isAutoImportPath(file) && !STORES_DIR.test(file)) continue
    for (const { block } of blocksOf(file)) for (const name of block.sourceFile.getExportedDeclarations().keys()) if (name !== 'default') exported.set(name, file)
  }
  const keys = new Map<string, string[]>()
  for (const file of files) {
    for (const { block, provided } of blocksOf(file)) {
      const sf = block.sourceFile
      for (const declaration of sf.getImportDeclarations()) {
        const target = repo.resolveImportPath(file, declaration.getModuleSpecifierValue())
        if (target !== undefined && parent.has(target)) join(file, target)
      }
      for (const identifier of descendantsOfKind(sf, SyntaxKind.Identifier)) {
        const owner = exported.get(identifier.getText())
        if (owner !== undefined && owner !== file) join(file, owner)
      }
      for (const key of provided) for (const plugin of client.plugins) if (plugin.key === key) join(file, plugin.unit.path)
      for (const [, , , key] of sf.getFullText().matchAll(PROVIDE_OR_INJECT)) keys.set(key!, [...(keys.get(key!) ?? []), file])
    }
  }
  for (const sharing of keys.values()) for (const file of sharing.slice(1)) join(sharing[0]!, file)
  const groups = new Map<string, string[]>()
  for (const file of files) groups.set(find(file), [...(groups.get(find(file)) ?? []), file])
  return [...groups.values()]
}

/**
 * Every browser file whose socket stays exactly as it was, with why: the files of the groups
 * (see `socketGroups`) holding one of `causes`.
 */
export function keptClientFiles(repo: Repo, client: Pick<ClientModel, 'scripts' | 'plugins'>, causes: readonly KeptSocketCause[]): Map<string, string> {
  const kept = new Map<string, string>()
  if (causes.length === 0) return kept
  for (const group of socketGroups(repo, client, causes.map((cause) => cause.file))) {
    const inGroup = causes.filter((cause) => group.includes(cause.file))
    if (inGroup.length === 0) continue
    // A group holding no socket of its own (a file the client analysis did not see) keeps nothing.
    if (!group.some((file) => client.scripts.some((script) => script.unit.path === file))) continue
    const shown = inGroup.slice(0, MAX_CAUSES_SHOWN).map((cause) => `${cause.where}: ${cause.reason}`)
    if (inGroup.length > MAX_CAUSES_SHOWN) shown.push(`${inGroup.length - MAX_CAUSES_SHOWN} more place(s)`)
    for (const file of group) kept.set(file, shown.join('; '))
  }
  return kept
}
