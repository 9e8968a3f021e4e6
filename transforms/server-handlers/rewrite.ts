import { Node, type CallExpression, type Expression } from 'ts-morph'
import type { MigrationConfig } from '../../src/config/types.js'
import type { Blocker, HandshakeRead, SocketUse } from '../../src/analysis/handlers/types.js'
import { isClientSentId } from '../../src/analysis/handlers/socket-uses.js'
import { ackStatement, ownStatement } from '../../src/analysis/handlers/statements.js'
import { isConsoleCall } from '../../src/analysis/handlers/connection.js'
import { accessCheckedBefore } from '../../src/analysis/handlers/access-check.js'
import { renamedEventLiteral } from '../../src/analysis/stream-events.js'
import { channelExpression, channelOf, emitCall } from './channels.js'
import type { StagedCode } from './staged-code.js'
import { renderChildren, type Replacements } from './render.js'
import { indentOf } from '../shared/reindent.js'
import { replaceSocketIoTypes } from './socket-types.js'

/** Names the rewritten code uses; chosen by the caller so they do not clash with the body's own. */
export interface RewriteNames {
  event: string
  connectionId: string
  /** Local name for each socket data key the code reads. */
  binding(key: string): string
  /** The `{ userId }` owner object subscribe/unsubscribe need. */
  owner(): string
}

export interface RewriteResult {
  replacements: Replacements
  /** What the generated code needs in front of the body. */
  needs: { connectionId: 'none' | 'optional' | 'required'; aliases: Map<string, string> }
  blockers: Blocker[]
  /** Log statements dropped because what they print (the socket id) no longer exists. */
  dropped: Node[]
}

/**
 * Where the code runs after the migration: a POST route for a handler, `channelsForConnection` for connection
 * setup, `connectionClosed` for a `disconnect` handler (no request, and the stream is already gone).
 */
export type RewriteTarget = 'route' | 'connection' | 'disconnect'

/** The uses no earlier transform rewrote: server-emits stages its rewrites of emits, and a use inside one is gone. */
export function unrewrittenUses<T extends SocketUse>(uses: readonly T[], staged: StagedCode): T[] {
  return uses.filter((use) => !staged.isGone(use.node))
}

/** An emit's arguments as the route writes them: the event under its stream name, the rest rendered. */
function emitArguments(args: readonly Expression[], render: (node: Node) => string): string[] {
  return args.map((arg, i) => (i === 0 ? renamedEventLiteral(arg)?.text : undefined) ?? render(arg))
}

/** `const name = <node>` (possibly `as T`) as the only declaration of its statement → the name and the statement. */
function constCopy(node: Node): { name: string; statement: Node } | undefined {
  let n = node
  while (Node.isAsExpression(n.getParent()) || Node.isParenthesizedExpression(n.getParent()) || Node.isNonNullExpression(n.getParent())) n = n.getParent()!
  const decl = n.getParent()
  if (!Node.isVariableDeclaration(decl) || decl.getInitializer() !== n || !Node.isIdentifier(decl.getNameNode())) return undefined
  const statement = decl.getVariableStatement()
  if (!statement || statement.getDeclarations().length !== 1 || statement.getDeclarationKind() !== 'const') return undefined
  return { name: decl.getName(), statement }
}

/** The request read that carries what the handshake field did: query parameter, header, `Authorization: Bearer`, Nitro's auth. */
export function handshakeExpression(read: HandshakeRead, eventName: string): string {
  if (read.kind === 'query') return /^[A-Za-z_$][\w$]*$/.test(read.name) ? `getQuery(${eventName}).${read.name}` : `getQuery(${eventName})['${read.name}']`
  if (read.kind === 'context') return `${eventName}.context.auth`
  if (read.kind === 'auth') return `getRequestHeader(${eventName}, 'authorization')?.replace(/^Bearer /, '')`
  return `getRequestHeader(${eventName}, '${read.name}')`
}

/** `{ message: 'x', roomId }` → `message: 'x', data: { roomId }` for createError. */
/** How the app answers a refused access check over HTTP: 403 when its routes already do, else 400. */
export interface AppStatuses {
  accessDenied: 400 | 403
}

const ACCESS_REFUSAL = /\b(?:denied|forbidden|not allowed|permission|no access|not a member|not authori[sz]ed)\b/i

/**
 * The status of an error reply turned HTTP error: a failure caught by the handler is the server's
 * (500), a refused access check answers as the app's routes do, anything else is the request's (400).
 */
function errorStatus(call: CallExpression, message: Expression | undefined, statuses: AppStatuses): number {
  const inCatch = call.getFirstAncestor((node) => Node.isCatchClause(node) || Node.isFunctionLikeDeclaration(node) || Node.isArrowFunction(node) || Node.isFunctionExpression(node))
  if (inCatch && Node.isCatchClause(inCatch)) return 500
  return message && ACCESS_REFUSAL.test(message.getText()) ? statuses.accessDenied : 400
}

function errorFields(call: CallExpression, message: Expression | undefined, render: (n: Node) => string, statuses: AppStatuses): string {
  const payload = call.getArguments()[1]
  const fields = [`statusCode: ${errorStatus(call, message, statuses)}`, `message: ${message ? render(message) : `'Request failed'`}`]
  if (Node.isObjectLiteralExpression(payload)) {
    const rest = payload.getProperties().filter((p) => !(Node.isPropertyAssignment(p) || Node.isShorthandPropertyAssignment(p)) || p.getName() !== 'message')
    if (rest.length) fields.push(`data: { ${rest.map((p) => render(p)).join(', ')} }`)
  }
  return `createError({ ${fields.join(', ')} })`
}

/**
 * Turns the socket uses of a handler body (or of the connection setup) into replacements. Every use the target
 * cannot express becomes a blocker.
 */
export function rewriteUses(
  uses: SocketUse[],
  target: RewriteTarget,
  fn: Node,
  names: RewriteNames,
  config: MigrationConfig,
  staged: StagedCode,
  statuses: AppStatuses = { accessDenied: 400 },
): RewriteResult {
  const replacements: Replacements = staged.rewritten()
  const blockers: Blocker[] = []
  const dropped: Node[] = []
  const needs: RewriteResult['needs'] = { connectionId: 'none', aliases: new Map() }
  const need = (level: 'optional' | 'required') => {
    if (needs.connectionId !== 'required') needs.connectionId = level
  }
  /** try statements inside the body whose catch must let the new HTTP errors through. */
  const throwingTries = new Set<Node>()
  const markThrow = (node: Node) => {
    for (const tryStatement of triesCatching(node, fn)) throwingTries.add(tryStatement)
  }
  const directlyInBody = (node: Node) => node.getFirstAncestor((a) => Node.isFunctionLikeDeclaration(a) || Node.isArrowFunction(a) || Node.isFunctionExpression(a)) === fn
  /** Statements that can no longer run once an error reply became a throw or an ack became a return. */
  const unreachable = new Set<Node>()
  const removeAfterThrow = (statement: Node) => {
    const block = statement.getParent()
    if (!Node.isBlock(block)) return
    const siblings = block.getStatements()
    for (const next of siblings.slice(siblings.indexOf(statement as never) + 1)) {
      const isBareReturn = Node.isReturnStatement(next) && !next.getExpression()
      const isAck = uses.some((u) => u.kind === 'ack' && ownStatement(u.node) === next)
      if (!isBareReturn && !isAck) break
      unreachable.add(next)
    }
  }

  for (const use of uses) {
    switch (use.kind) {
      case 'data': {
        if (Node.isIdentifier(use.node)) {
          needs.aliases.set(use.node.getText(), use.key)
          break
        }
        // `const userId = socket.data.userId` in the body becomes part of the destructuring at the top.
        const copy = constCopy(use.node)
        if (copy) {
          needs.aliases.set(copy.name, use.key)
          replacements.set(copy.statement, () => '')
          break
        }
        replacements.set(use.node, () => names.binding(use.key))
        break
      }
      case 'id': {
        if (target !== 'route') {
          const log = use.node.getFirstAncestor((a) => Node.isExpressionStatement(a) && isConsoleCall(a.getExpression()))
          if (log) dropped.push(log)
          else blockers.push({ node: use.node, reason: target === 'connection'
            ? '`socket.id` at connection time has no equivalent before the SSE stream exists'
            : 'uses `socket.id` when the client goes away; `connectionClosed` gets the user, not the stream\'s id' })
          break
        }
        need('optional')
        replacements.set(use.node, () => names.connectionId)
        break
      }
      case 'handshake': {
        const read = use.read
        if (target === 'disconnect') {
          blockers.push({ node: use.node, reason: `reads \`${use.node.getText()}\` when the client goes away; \`connectionClosed\` has no request` })
          break
        }
        // Headers and the h3 context (set by the app's server middleware) come with every request, not only the handshake.
        if (target === 'route' && read.kind !== 'header' && read.kind !== 'context') {
          blockers.push({ node: use.node, reason: `reads \`${use.node.getText()}\` from the handshake, which a later request does not carry` })
          break
        }
        if (read.kind === 'auth' || (read.kind === 'query' && isClientSentId(read.name))) {
          blockers.push({ node: use.node, reason: `reads \`${use.node.getText()}\`, which the client chooses, so it cannot decide the stream's channels` })
          break
        }
        replacements.set(use.node, () => handshakeExpression(read, names.event))
        break
      }
      case 'emit-self': {
        const statement = ownStatement(use.node)
        if (target === 'disconnect') {
          blockers.push({ node: use.node, reason: 'emits to the connection that just went away' })
          break
        }
        if (target === 'connection' || !statement) {
          blockers.push({ node: use.node, reason: target === 'connection'
            ? 'emits to the new connection at connect time; the SSE stream sends its own `connected` event'
            : 'uses `socket.emit` inside an expression; only a statement can become an emit to the caller\'s connection' })
          break
        }
        need('optional')
        replacements.set(statement, (render) => {
          const args = emitArguments(use.args, render).join(', ')
          return `if (${names.connectionId}) emitToConnection(${names.connectionId}, ${args})`
        })
        break
      }
      case 'emit-error': {
        const statement = ownStatement(use.node) ?? (Node.isReturnStatement(use.node.getParent()) ? use.node.getParent() : undefined)
        if (target !== 'route' || !statement) {
          blockers.push({ node: use.node, reason: 'emits an `error` event where no HTTP response can carry it' })
          break
        }
        replacements.set(statement, (render) => `throw ${errorFields(use.node, use.message, render, statuses)}`)
        markThrow(statement)
        removeAfterThrow(statement)
        break
      }
      case 'emit-others': {
        if (target === 'connection') {
          blockers.push({ node: use.node, reason: 'broadcasts from the connection handler; the SSE stream has no connect hook that emits' })
          break
        }
        // The stream that went away receives nothing any more: no `except` needed.
        if (target === 'disconnect') {
          replacements.set(use.node, (render) => emitCall(use.rooms.map((room) => channelOf(room, config, render)), emitArguments(use.args, render)))
          break
        }
        need('optional')
        replacements.set(use.node, (render) => {
          const channels = use.rooms.map((room) => channelOf(room, config, render))
          return emitCall(channels, emitArguments(use.args, render), `{ except: ${names.connectionId} }`)
        })
        break
      }
      case 'join':
      case 'leave': {
        if (target === 'disconnect') {
          blockers.push({ node: use.node, reason: `\`socket.${use.kind}\` when the client goes away; the runtime drops an ended stream's channels itself` })
          break
        }
        if (target === 'connection') {
          if (use.kind === 'leave' || !ownStatement(use.node)) {
            blockers.push({ node: use.node, reason: `\`socket.${use.kind}\` at connection time is not a plain join statement` })
            break
          }
          replacements.set(ownStatement(use.node)!, (render) => {
            const channels = use.rooms.map((room) => channelExpression(channelOf(room, config, render)))
            return `channels.push(${channels.join(', ')})`
          })
          break
        }
        need('required')
        const awaited = Node.isAwaitExpression(use.node.getParent()) ? use.node.getParent()! : use.node
        const helper = use.kind === 'join' ? 'subscribe' : 'unsubscribe'
        const prefix = directlyInBody(use.node) ? 'await ' : ''
        // The handler's own access check already ran: canSubscribe would only repeat it (another query).
        const checked = use.kind === 'join' && accessCheckedBefore(use.node, use.rooms, fn) ? ', { accessChecked: true }' : ''
        replacements.set(awaited, (render) => {
          const channels = use.rooms.map((room) => channelExpression(channelOf(room, config, render)))
          const list = channels.length === 1 ? channels[0] : `[${channels.join(', ')}]`
          return `${prefix}${helper}(${names.connectionId}, ${list}, ${names.owner()}${checked})`
        })
        markThrow(use.node)
        break
      }
      case 'ack': {
        const replaced = ackStatement(use.node)
        if (!replaced) {
          blockers.push({ node: use.node, reason: 'calls the acknowledgement inside an expression; only a statement can become the response' })
          break
        }
        replacements.set(replaced, (render) => (use.value ? `return ${render(use.value)}` : 'return'))
        removeAfterThrow(replaced)
        break
      }
    }
  }
  for (const statement of [...unreachable, ...dropped]) replacements.set(statement, () => '')
  for (const tryStatement of throwingTries) addRethrow(tryStatement, replacements)
  replaceSocketIoTypes(fn, replacements, blockers)
  return { replacements, needs, blockers, dropped }
}

/** The try statements between `node` and `fn` whose catch clause would catch what `node` throws. */
export function triesCatching(node: Node, fn: Node): Node[] {
  const tries: Node[] = []
  for (let n = node.getParent(); n && n !== fn; n = n.getParent()) {
    const parent = n.getParent()
    if (Node.isTryStatement(parent) && parent.getTryBlock() === n && parent.getCatchClause()) tries.push(parent)
  }
  return tries
}

/** `catch (error) {` → `catch (error) {\n  if (isError(error)) throw error`: HTTP errors thrown in the try reach the client as they are. */
export function addRethrow(tryStatement: Node, replacements: Replacements): void {
  if (!Node.isTryStatement(tryStatement)) return
  const clause = tryStatement.getCatchClauseOrThrow()
  const block = clause.getBlock()
  const variable = clause.getVariableDeclaration()
  if (variable && !Node.isIdentifier(variable.getNameNode())) return
  const name = variable?.getName() ?? 'error'
  // `catch (error: any)` keeps its annotation: the body reads `error.message`, which `unknown` forbids.
  const binding = variable?.getText() ?? name
  const first = block.getStatements()[0]
  const inner = first ? indentOf(first) : indentOf(clause) + '  '
  replacements.set(clause, () => {
    const body = renderChildren(block, replacements)
    const rethrow = `\n${inner}if (isError(${name})) throw ${name}`
    return `catch (${binding}) ${body.slice(0, 1)}${rethrow}${body.slice(1)}`
  })
}
