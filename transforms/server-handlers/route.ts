import { Node } from 'ts-morph'
import { zodImportLine, type ZodBodyValidation } from '../../src/analysis/handlers/body-validation.js'
import { isWithin } from '../../src/analysis/handlers/scope.js'
import type { SocketHandler } from '../../src/analysis/handlers/types.js'
import type { MigrationConfig } from '../../src/config/types.js'
import type { AuthShape, LightAuth } from './auth.js'
import { ownerOf } from './auth.js'
import { eventMapPayload, payloadLines, positionalLines, zodPayloadRead } from './payload.js'
import { mentions, relabelLogs, renderNode, renderStatements, type Replacements } from './render.js'
import { indentBlock, indentOf, indentUnitOf, moveCode } from '../shared/reindent.js'
import type { StagedCode } from './staged-code.js'
import { unrewrittenUses, rewriteUses, type AppStatuses, type RewriteResult } from './rewrite.js'
import { isPropertyName } from '../../src/analysis/server/syntax.js'
import { freeName } from '../../src/text/free-name.js'

export interface RouteCode {
  text: string
  blockers: RewriteResult['blockers']
  /** Import lines the route needs besides the handler's own (the app's auth util). */
  imports: string[]
  /** True when it authenticates with the app's own HTTP auth util rather than `authenticateSSE`. */
  lightAuth: boolean
  /** Body fields its zod schema accepts as anything, when it validates with zod. */
  looseFields: string[]
}

/**
 * `const { user, userId } = await authenticateSSE(event)` for the keys and aliases the code reads; an
 * alias of nested data (`const userId = socket.data.user.userId`) destructures that path,
 * `user: { userId }`, with every alias under one key in one pattern.
 */
export function authLine(keys: Map<string, string>, aliases: Map<string, string>, call: string): string {
  const fields = [...keys].map(([key, name]) => (key === name ? key : `${key}: ${name}`))
  const nested = new Map<string, string[]>()
  for (const [name, key] of aliases) {
    const [root, ...rest] = key.split('.')
    if (rest.length > 0) {
      const leaf = rest.join('.')
      const inner = rest.length === 1 ? (leaf === name ? leaf : `${leaf}: ${name}`) : nestedPattern(rest, name)
      nested.set(root!, [...(nested.get(root!) ?? []), inner])
      continue
    }
    const field = key === name ? key : `${key}: ${name}`
    if (!fields.includes(field)) fields.push(field)
  }
  for (const [root, inner] of nested) fields.push(`${root}: { ${inner.join(', ')} }`)
  return fields.length ? `const { ${fields.join(', ')} } = await ${call}` : `await ${call}`
}

/** `['profile', 'id']`, `userId` → `profile: { id: userId }`. */
function nestedPattern(path: string[], name: string): string {
  const [head, ...rest] = path
  if (rest.length === 0) return head === name ? head! : `${head}: ${name}`
  return `${head}: { ${nestedPattern(rest, name)} }`
}

/**
 * The route file for one `socket.on` handler: auth, connection id, body, then the handler's code. `eventsType`
 * names the typed server's client→server event map (`Server<ClientToServerEvents, ...>`), which types a payload
 * parameter that has no annotation of its own.
 */
export function routeCode(handler: SocketHandler, shape: AuthShape, config: MigrationConfig, scope: RouteScope): RouteCode {
  // A route that needs only the user's id authenticates as the app's other API routes do, without the user lookup.
  return (scope.lightAuth && renderRoute(handler, shape, config, scope, scope.lightAuth)) ?? renderRoute(handler, shape, config, scope)!
}

export interface RouteScope {
  eventsType?: Node | undefined
  aliases: ReadonlyMap<string, string>
  statuses?: AppStatuses
  lightAuth?: LightAuth
  /** The app validates request bodies with zod: the route does too. */
  validation?: ZodBodyValidation
  /** The handler's code with the edits of earlier transforms. */
  staged: StagedCode
  /** The indent unit of the route file. */
  unit: string
}

/** The route; with `light`, undefined when the handler reads more of the user than its id. */
function renderRoute(handler: SocketHandler, shape: AuthShape, config: MigrationConfig, scope: RouteScope, light?: LightAuth): RouteCode | undefined {
  const { eventsType } = scope
  // Uses inside code an earlier transform rewrote (emits) are gone; the rewritten text is rendered as it is.
  const uses = unrewrittenUses(handler.uses, scope.staged)
  const descendants = handler.fn.getDescendants()
  const taken = new Set(descendants.filter(Node.isIdentifier).map((n) => n.getText()))
  const eventName = freeName('event', taken)
  const keys = new Map<string, string>()
  // A connection-scope alias (`const uid = socket.data.userId`) already names the key in this body.
  const aliasOf = new Map(uses.flatMap((u) => (u.kind === 'data' && Node.isIdentifier(u.node) ? [[u.key, u.node.getText()] as const] : [])))
  // A local copy of the key (`const userId = socket.data.userId`) joins the auth line under its name;
  // any other declaration of that name (the client's payload, `const id = …` of its own) keeps it, and
  // the user's value is bound under another.
  const readsSocketData = (initializer: Node | undefined) =>
    initializer !== undefined && uses.some((use) => use.kind === 'data' && isWithin(use.node, initializer))
  const ownNames = new Set(
    descendants.flatMap((node) => {
      const own = Node.isParameterDeclaration(node) || Node.isBindingElement(node) || Node.isFunctionDeclaration(node) || (Node.isVariableDeclaration(node) && !readsSocketData(node.getInitializer()))
      const name = own ? node.getNameNode() : undefined
      return name && Node.isIdentifier(name) ? [name.getText()] : []
    }),
  )
  const bindingName = (key: string) => {
    if (!ownNames.has(key)) return freeName(key, new Set([...taken].filter((t) => t !== key)))
    return freeName(key === 'id' ? 'userId' : key, new Set([...taken, ...ownNames]))
  }
  const binding = (key: string) => aliasOf.get(key) ?? keys.get(key) ?? keys.set(key, bindingName(key)).get(key)!
  // Property names (`{ userId: user.id }`) do not clash with a local of that name.
  const bound = new Set(descendants.filter((n) => Node.isIdentifier(n) && !isPropertyName(n)).map((n) => n.getText()))
  const idName = light ? freeName(light.idField, bound) : ''
  const names = {
    event: eventName,
    connectionId: freeName('connectionId', taken),
    binding,
    owner: () => (light ? (idName === 'userId' ? '{ userId }' : `{ userId: ${idName} }`) : ownerOf(shape, binding)),
  }
  const result = rewriteUses(uses, 'route', handler.fn, names, config, scope.staged, scope.statuses)
  if (light) {
    const covered = useIdField(handler, scope.aliases, light, idName, result.replacements)
    // An alias read only as `user.id` is now the id field: the auth line need not bind it.
    for (const [name, key] of [...result.needs.aliases]) {
      const reads = uses.filter((use) => use.kind === 'data' && Node.isIdentifier(use.node) && use.node.getText() === name)
      if (key === light.userKey && reads.every((use) => covered.has(use.node))) result.needs.aliases.delete(name)
    }
  }
  const unknownKey = (key: string) => !shape.keys.includes(key.split('.')[0]!) && key !== 'id'
  for (const use of uses) {
    if (use.kind === 'data' && unknownKey(use.key)) {
      result.blockers.push({ node: use.node, reason: `reads \`${use.key}\` from the socket, which no migrated auth middleware stores` })
    }
  }
  const body = handler.fn.getBody()
  // An expression body ran for its effect (a socket handler's return value went nowhere), so it becomes a statement.
  const bodyText = relabelLogs(Node.isBlock(body)
    ? renderStatements(body.getStatements(), result.replacements, scope.unit)
    : moveCode(renderNode(body, result.replacements), { line: indentOf(body), unit: indentUnitOf(body.getSourceFile()) }, { line: '', unit: scope.unit }))
  // Connection-scope copies (`const user = socket.data.user`) used in rewritten code the uses no longer point into.
  const declaredHere = new Set(descendants.flatMap((n) => (Node.isVariableDeclaration(n) || Node.isParameterDeclaration(n) || Node.isBindingElement(n) ? [n.getName()] : [])))
  for (const [name, key] of scope.aliases) {
    if (result.needs.aliases.has(name) || declaredHere.has(name) || !mentions(bodyText, name)) continue
    if (unknownKey(key)) result.blockers.push({ node: handler.call, reason: `uses \`${name}\` (socket data \`${key}\`), which no migrated auth middleware stores` })
    result.needs.aliases.set(name, key)
  }
  // The caller's own connection only: the owner's binding joins the auth line, so it is named first.
  const owner = result.needs.connectionId !== 'none' ? names.owner() : undefined
  if (light && (keys.size > 0 || result.needs.aliases.size > 0)) return undefined
  const prelude: string[] = [
    light
      ? `const { ${light.idField === idName ? idName : `${light.idField}: ${idName}`} } = await ${light.call}(${eventName})`
      : authLine(keys, result.needs.aliases, `authenticateSSE(${eventName})`),
  ]
  if (owner) prelude.push(`const ${names.connectionId} = getConnectionId(${eventName}, ${owner})`)
  if (result.needs.connectionId === 'required') {
    prelude.push(`if (!${names.connectionId}) {\n  throw createError({ statusCode: 400, message: 'The x-sse-connection-id header is required' })\n}`)
  }
  const mapped = eventsType ? eventMapPayload(eventsType, handler.event) : undefined
  const { validation } = scope
  // A handler using a `z` of its own keeps the plain checks rather than meet a second zod import.
  const zodRead = handler.payload && validation && !taken.has(validation.zodImport.name)
    ? zodPayloadRead(handler.payload, eventName, freeName(`${camelCase(handler.event)}Schema`, taken), validation, mapped)
    : undefined
  if (handler.positional) prelude.push(...positionalLines(handler.positional, eventName, freeName('body', taken)))
  else if (zodRead) prelude.push(...zodRead.lines)
  else if (handler.payload) prelude.push(...payloadLines(handler.payload, eventName, freeName('body', taken), mapped))
  const doc = `/** Replaces the \`${handler.event}\` Socket.IO event: the client posts what it used to emit. */`
  const text = [
    ...(zodRead ? [zodRead.schema, ''] : []),
    doc,
    `export default defineEventHandler(async (${eventName}) => {`,
    indentBlock(prelude.join('\n'), scope.unit),
    '',
    indentBlock(bodyText, scope.unit),
    '})',
    '',
  ].join('\n')
  const imports = light?.importSpecifier ? [`import { ${light.call} } from '${light.importSpecifier}'`] : []
  if (zodRead && validation) imports.push(zodImportLine(validation.zodImport))
  return { text, blockers: result.blockers, imports, lightAuth: light !== undefined, looseFields: zodRead?.loose ?? [] }
}

/** `user.id` of the connection's user → the id field the light auth gives; returns the `user` identifiers so replaced. */
function useIdField(handler: SocketHandler, aliases: ReadonlyMap<string, string>, light: LightAuth, idName: string, replacements: Replacements): Set<Node> {
  const users = new Set([...aliases].filter(([, key]) => key === light.userKey).map(([name]) => name))
  const covered = new Set<Node>()
  for (const access of handler.fn.getDescendants()) {
    if (!Node.isPropertyAccessExpression(access) || access.getName() !== light.idProperty || replacements.has(access)) continue
    const object = access.getExpression()
    const declaration = Node.isIdentifier(object) && users.has(object.getText()) ? object.getSymbol()?.getDeclarations()[0] : undefined
    // Only the connection-scope user, not a local of the handler that happens to share its name.
    if (!declaration || declaration.getAncestors().includes(handler.fn)) continue
    const property = access.getParent()
    // `{ userId: user.id }` → `{ userId }`, as the team would write it.
    if (Node.isPropertyAssignment(property) && property.getName() === idName && !replacements.has(property)) replacements.set(property, () => idName)
    else replacements.set(access, () => idName)
    covered.add(object)
  }
  return covered
}

/** `send_message`, `message.sent`, `join-room` → `sendMessage`, `messageSent`, `joinRoom`. */
function camelCase(event: string): string {
  const words = event.split(/[^A-Za-z0-9]+/).filter(Boolean)
  const name = words.map((word, i) => (i === 0 ? word[0]!.toLowerCase() + word.slice(1) : word[0]!.toUpperCase() + word.slice(1))).join('')
  return /^[A-Za-z_$]/.test(name) ? name : `body${name[0]?.toUpperCase() ?? ''}${name.slice(1)}`
}
