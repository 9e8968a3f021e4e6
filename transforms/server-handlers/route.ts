import { Node } from 'ts-morph'
import type { SocketHandler } from '../../src/analysis/handlers/types.js'
import type { MigrationConfig } from '../../src/config/types.js'
import type { AuthShape } from './auth.js'
import { ownerOf } from './auth.js'
import { eventMapPayload, payloadLines, positionalLines } from './payload.js'
import { indent, mentions, relabelLogs, renderNode, renderStatements } from './render.js'
import { liveUses, rewriteUses, type AppStatuses, type RewriteResult } from './rewrite.js'

/** A name not used by the code it is added to. */
export function freeName(preferred: string, taken: ReadonlySet<string>): string {
  if (!taken.has(preferred)) return preferred
  for (let i = 2; ; i++) if (!taken.has(`${preferred}${i}`)) return `${preferred}${i}`
}

export interface RouteCode {
  text: string
  blockers: RewriteResult['blockers']
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
export function routeCode(
  handler: SocketHandler,
  shape: AuthShape,
  config: MigrationConfig,
  scope: { eventsType?: Node | undefined; aliases: ReadonlyMap<string, string>; statuses?: AppStatuses },
): RouteCode {
  const { eventsType } = scope
  // Uses inside code an earlier transform rewrote (emits) are gone; the rewritten text is rendered as it is.
  const uses = liveUses(handler.uses)
  const taken = new Set(handler.fn.getDescendants().filter(Node.isIdentifier).map((n) => n.getText()))
  const eventName = freeName('event', taken)
  const keys = new Map<string, string>()
  // A connection-scope alias (`const uid = socket.data.userId`) already names the key in this body.
  const aliasOf = new Map(uses.flatMap((u) => (u.kind === 'data' && Node.isIdentifier(u.node) ? [[u.key, u.node.getText()] as const] : [])))
  const binding = (key: string) =>
    aliasOf.get(key) ?? keys.get(key) ?? keys.set(key, freeName(key, new Set([...taken].filter((t) => t !== key)))).get(key)!
  const names = {
    event: eventName,
    connectionId: freeName('connectionId', taken),
    binding,
    owner: () => ownerOf(shape, binding),
  }
  const result = rewriteUses(uses, 'route', handler.fn, names, config, scope.statuses)
  const unknownKey = (key: string) => !shape.keys.includes(key.split('.')[0]!) && key !== 'id'
  for (const use of uses) {
    if (use.kind === 'data' && unknownKey(use.key)) {
      result.blockers.push({ node: use.node, reason: `reads \`${use.key}\` from the socket, which no migrated auth middleware stores` })
    }
  }
  const body = handler.fn.getBody()
  // An expression body ran for its effect (a socket handler's return value went nowhere), so it becomes a statement.
  const bodyText = relabelLogs(Node.isBlock(body) ? renderStatements(body.getStatements(), result.replacements) : renderNode(body, result.replacements))
  // Connection-scope copies (`const user = socket.data.user`) used in rewritten code the uses no longer point into.
  const declaredHere = new Set(handler.fn.getDescendants().flatMap((n) => (Node.isVariableDeclaration(n) || Node.isParameterDeclaration(n) || Node.isBindingElement(n) ? [n.getName()] : [])))
  for (const [name, key] of scope.aliases) {
    if (result.needs.aliases.has(name) || declaredHere.has(name) || !mentions(bodyText, name)) continue
    if (unknownKey(key)) result.blockers.push({ node: handler.call, reason: `uses \`${name}\` (socket data \`${key}\`), which no migrated auth middleware stores` })
    result.needs.aliases.set(name, key)
  }
  // The caller's own connection only: the owner's binding joins the auth line, so it is named first.
  const owner = result.needs.connectionId !== 'none' ? names.owner() : undefined
  const prelude: string[] = [authLine(keys, result.needs.aliases, `authenticateSSE(${eventName})`)]
  if (owner) prelude.push(`const ${names.connectionId} = getConnectionId(${eventName}, ${owner})`)
  if (result.needs.connectionId === 'required') {
    prelude.push(`if (!${names.connectionId}) {\n  throw createError({ statusCode: 400, message: 'The x-sse-connection-id header is required' })\n}`)
  }
  const mapped = eventsType ? eventMapPayload(eventsType, handler.event) : undefined
  if (handler.positional) prelude.push(...positionalLines(handler.positional, eventName, freeName('body', taken)))
  else if (handler.payload) prelude.push(...payloadLines(handler.payload, eventName, freeName('body', taken), mapped))
  const doc = `/** Replaces the \`${handler.event}\` Socket.IO event: the client posts what it used to emit. */`
  const text = [
    doc,
    `export default defineEventHandler(async (${eventName}) => {`,
    indent(prelude.join('\n'), '  '),
    '',
    indent(bodyText, '  '),
    '})',
    '',
  ].join('\n')
  return { text, blockers: result.blockers }
}
