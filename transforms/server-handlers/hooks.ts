import { Node } from 'ts-morph'
import type { AuthMiddleware, Blocker, ConnectionHandler, HttpAuthUtil, SocketHandler, SocketUse } from '../../src/analysis/handlers/types.js'
import type { MigrationConfig } from '../../src/config/types.js'
import { isConsoleCall } from '../../src/analysis/handlers/connection.js'
import { isHoistable, isModuleLevel, isWithin, moduleReferences, referencedDeclaration } from '../../src/analysis/handlers/scope.js'
import { renderAuthenticate, reuseHttpAuth, type AuthShape } from './auth.js'
import { channelExpression, channelOf } from './channels.js'
import { mentions, relabelLogs, renderChildren, renderNode, renderStatements, type Replacements } from './render.js'
import { indentBlock } from '../shared/reindent.js'
import type { StagedCode } from './staged-code.js'
import { unrewrittenUses, rewriteUses, type RewriteResult } from './rewrite.js'
import { authLine } from './route.js'
import { freeName } from '../../src/text/free-name.js'
import { eventName } from '../../src/analysis/event-name.js'

/** `canSubscribe` when the connection's channels depend on its request: only the user's own channel. */
export const OWN_CHANNEL_ONLY = [
  '/** Whether a chat route may subscribe a stream to a channel: only the user\'s own channel. */',
  'export async function canSubscribe(user: SSEUser, channel: string): Promise<boolean> {',
  '  return channel === userChannel(user.id)',
  '}',
].join('\n')

/** The hooks when the connection handler joins nothing that could be transplanted. */
export const NO_CHANNELS = [
  '/** Channels a new stream joins besides `user:<id>`. */',
  'export async function channelsForConnection(_event: H3Event, _user: SSEUser): Promise<string[]> {',
  '  return []',
  '}',
  '',
  OWN_CHANNEL_ONLY,
].join('\n')

/** A hook that cannot be carried over, with the code that keeps it from being. */
export interface BlockedHook {
  status: 'blocked'
  blockers: RewriteResult['blockers']
}

/** `authenticateSSE`, or why it cannot be written. */
export type AuthenticateCode =
  | BlockedHook
  | {
      status: 'written'
      text: string
      droppedQuery: Node[]
      /** True when `authenticateSSE` calls the repo's HTTP auth util instead of a transplanted middleware. */
      reused: boolean
    }

/** `channelsForConnection` (+ `canSubscribe` and the shared channel list), or why it cannot be written. */
export type ChannelsCode =
  | BlockedHook
  | {
      status: 'written'
      text: string
      /** Connection logs dropped because they print the socket id. */
      droppedLogs: Node[]
      /** True when `canSubscribe` only allows the user's own channel (join routes then need it widened by hand). */
      ownChannelOnly: boolean
    }

/** `export async function authenticateSSE(event: H3Event) {...}` from the `io.use` middleware. */
export function authenticateCode(
  middleware: AuthMiddleware,
  shape: AuthShape,
  config: MigrationConfig,
  unit: string,
  httpAuth?: HttpAuthUtil,
): AuthenticateCode {
  const taken = new Set(middleware.fn.getDescendants().filter(Node.isIdentifier).map((n) => n.getText()))
  const eventName = freeName('event', taken)
  const reused = httpAuth && reuseHttpAuth(middleware, shape, httpAuth, eventName)
  if (reused) {
    const text = [
      `/** Who opens the stream or calls a chat route: the same check as the app's other API routes (\`${httpAuth.name}\`). */`,
      `export async function authenticateSSE(${eventName}: H3Event) {`,
      indentBlock(reused, unit),
      '}',
    ].join('\n')
    return { status: 'written', text, droppedQuery: [], reused: true }
  }
  const result = renderAuthenticate(middleware, shape, config, eventName, unit)
  if (result.blockers.length > 0) return { status: 'blocked', blockers: result.blockers }
  const text = [
    `/** Who opens the stream or calls a chat route: the checks of the former Socket.IO \`io.use\` middleware. */`,
    `export async function authenticateSSE(${eventName}: H3Event) {`,
    indentBlock(relabelLogs(result.body), unit),
    '}',
  ].join('\n')
  return { status: 'written', text, droppedQuery: result.droppedQuery, reused: false }
}

/**
 * `authenticateSSE` as a call of the app's HTTP auth util when there is no `io.use` middleware: the stream
 * and the chat routes then know their user as the app's other API routes do. Undefined when the util
 * gives neither the user's id nor a user with an `id`, or never refuses a request itself.
 */
export function httpAuthenticateCode(util: HttpAuthUtil, unit: string): string | undefined {
  if (!util.yields || !util.refuses) return undefined
  const call = `${util.async ? 'await ' : ''}${util.name}(event)`
  const body = util.yields === 'id' ? [`const id = ${call}`, 'return { id }'] : [`const user = ${call}`, 'return { id: user.id, user }']
  return [
    `/** Who opens the stream or calls a chat route: the same check as the app's other API routes (\`${util.name}\`). */`,
    'export async function authenticateSSE(event: H3Event) {',
    indentBlock(body.join('\n'), unit),
    '}',
  ].join('\n')
}

/** The kinds of channel some joins produce: a configured helper, or the literal prefix of another channel name. */
export function joinedKinds(uses: SocketUse[], config: MigrationConfig, staged: StagedCode): Set<string> {
  const kinds = new Set<string>()
  for (const use of unrewrittenUses(uses, staged)) {
    if (use.kind === 'join') for (const room of use.rooms) kinds.add(channelKind(room, config))
  }
  return kinds
}

/** `socket.to(room).emit(...)` calls of some uses, each with the kinds of channel it emits to. */
export function emittedKinds(uses: SocketUse[], config: MigrationConfig, staged: StagedCode): { node: Node; event: string | undefined; kinds: string[] }[] {
  const emits: { node: Node; event: string | undefined; kinds: string[] }[] = []
  for (const use of unrewrittenUses(uses, staged)) {
    if (use.kind !== 'emit-others' || use.rooms.length === 0) continue
    const [event] = use.args
    emits.push({ node: use.node, event: eventName(event), kinds: use.rooms.map((room) => channelKind(room, config)) })
  }
  return emits
}

function channelKind(room: Node, config: MigrationConfig): string {
  const channel = channelOf(room, config, (n) => n.getText())
  if (channel.kind === 'rule') return channel.helper === 'emitToRoom' ? 'room:<id>' : 'user:<id>'
  return /^[`'"]([^`'"$]*)/.exec(channel.expression)?.[1] || channel.expression
}

/** True when a joined channel is the user's own `userChannel(id)`, which the runtime always joins. */
function isOwnUserChannel(channel: string, shape: AuthShape, connection: ConnectionHandler): boolean {
  const [key, ...rest] = shape.id.split('.')
  // `const userId = socket.data.user.id` copies the whole id.
  const whole = [...connection.dataAliases].find(([, k]) => k === shape.id)?.[0]
  const alias = [...connection.dataAliases].find(([, k]) => k === key)?.[0] ?? key
  return channel === `userChannel(${[alias, ...rest].join('.')})` || (whole !== undefined && channel === `userChannel(${whole})`)
}

/**
 * The connection handler's setup (joins, room look-ups, access checks) as the channel list of a new stream, and
 * `canSubscribe` allowing exactly those channels, so a join route passes the same checks as the connection did.
 */
export function channelsCode(connection: ConnectionHandler, shape: AuthShape, config: MigrationConfig, staged: StagedCode, unit: string): ChannelsCode {
  const taken = new Set(connection.setup.flatMap((s) => s.getDescendants()).filter(Node.isIdentifier).map((n) => n.getText()))
  const eventName = freeName('event', taken)
  const keys = new Map<string, string>()
  const binding = (key: string) => keys.get(key) ?? keys.set(key, key).get(key)!
  const names = { event: eventName, connectionId: 'connectionId', binding, owner: () => '' }
  const setupUses = unrewrittenUses(connection.setupUses, staged)
  const result = rewriteUses(setupUses, 'connection', connection.fn, names, config, staged)
  if (result.blockers.length > 0) return { status: 'blocked', blockers: result.blockers }
  // The alias declarations (`const userId = socket.data.userId`) become the destructuring at the top.
  const aliases = new Map<string, string>(result.needs.aliases)
  for (const statement of connection.setup) {
    if (!Node.isVariableStatement(statement)) continue
    const decls = statement.getDeclarations()
    if (decls.every((d) => Node.isIdentifier(d.getNameNode()) && connection.dataAliases.has(d.getName()))) {
      for (const d of decls) aliases.set(d.getName(), connection.dataAliases.get(d.getName())!)
      result.replacements.set(statement, () => '')
    }
  }
  // A helper hoisted to the shared util for the routes has no job in the hooks unless the setup calls it.
  for (const statement of connection.setup) {
    if (!Node.isFunctionDeclaration(statement) || !isHoistable(statement)) continue
    const name = statement.getNameNode()
    const usedBySetup = name?.findReferencesAsNodes().some((ref) => ref !== name && connection.setup.some((other) => other !== statement && isWithin(ref, other)))
    if (!usedBySetup) result.replacements.set(statement, () => '')
  }
  for (const use of setupUses) {
    if (use.kind !== 'join' || use.rooms.length !== 1) continue
    const channel = channelExpression(channelOf(use.rooms[0]!, config, (n) => renderNode(n, result.replacements)))
    const statement = use.node.getParent()
    if (isOwnUserChannel(channel, shape, connection) && Node.isExpressionStatement(statement)) {
      result.replacements.set(statement, () => '')
    }
  }
  const renderBody = () => relabelLogs(renderStatements(connection.setup, result.replacements, unit))
  const body = renderBody()
  if (body.trim() === '') return { status: 'written', text: NO_CHANNELS, droppedLogs: result.dropped, ownChannelOnly: false }
  for (const name of aliases.keys()) if (!mentions(body, name)) aliases.delete(name)
  const usesEvent = mentions(body, eventName)
  const user = keys.has('user') || aliases.has('user') ? 'sseUser' : 'user'
  const destructure = keys.size + aliases.size > 0 ? [authLine(keys, aliases, `${user} as ChatUser`).replace('= await ', '= ')] : []
  const functionBody = (statements: string) =>
    indentBlock([...destructure, 'const channels: string[] = []', statements, 'return channels'].filter((l) => l !== '').join('\n'), unit)
  const typeLine = 'type ChatUser = Awaited<ReturnType<typeof authenticateSSE>>'
  if (usesEvent) {
    return {
      status: 'written',
      text: [
        ...(destructure.length ? [typeLine, ''] : []),
        '/** Channels a new stream joins: what the former Socket.IO connection handler joined. */',
        `export async function channelsForConnection(${eventName}: H3Event, ${destructure.length ? user : `_${user}`}: SSEUser): Promise<string[]> {`,
        functionBody(body),
        '}',
        '',
        OWN_CHANNEL_ONLY,
      ].join('\n'),
      droppedLogs: result.dropped,
      ownChannelOnly: true,
    }
  }
  // `canSubscribe` runs the look-up again on every subscribe; its log lines describe a stream opening, so only
  // `channelsForConnection` prints them.
  const logFlag = freeName('log', variableNames(connection.setup))
  const logs = gateLogs(connection.setup, result.replacements, logFlag)
  const call = (log: boolean) => (logs ? `channelsOf(${user}, { ${logFlag}: ${log} })` : `channelsOf(${user})`)
  return {
    status: 'written',
    text: [
      typeLine,
      '',
      `/** The channels a user belongs to: what the former Socket.IO connection handler joined, behind the same checks.${logs ? ` \`${logFlag}\`: print its log lines (when a stream opens). */` : ' */'}`,
      `async function channelsOf(${user}: SSEUser${logs ? `, { ${logFlag} }: { ${logFlag}: boolean }` : ''}): Promise<string[]> {`,
      functionBody(logs ? renderBody() : body),
      '}',
      '',
      '/** Channels a new stream joins besides `user:<id>`. */',
      `export async function channelsForConnection(_event: H3Event, ${user}: SSEUser): Promise<string[]> {`,
      `  return ${call(true)}`,
      '}',
      '',
      '/** A chat route may subscribe a stream to the channels its user could have joined on connecting, and no others. */',
      `export async function canSubscribe(${user}: SSEUser, channel: string): Promise<boolean> {`,
      `  return channel === userChannel(${user}.id) || (await ${call(false)}).includes(channel)`,
      '}',
    ].join('\n'),
    droppedLogs: result.dropped,
    ownChannelOnly: false,
  }
}

/** The identifiers of some code that can name a variable (not the `log` of `console.log`). */
function variableNames(code: Node[]): Set<string> {
  const names = code.flatMap((n) => n.getDescendants()).filter(Node.isIdentifier)
  const isPropertyName = (n: Node) => {
    const parent = n.getParent()
    return Node.isPropertyAccessExpression(parent) && parent.getNameNode() === n
  }
  return new Set(names.filter((n) => !isPropertyName(n)).map((n) => n.getText()))
}

/**
 * Makes the connection handler's progress logs (`console.log`/`info`/`debug`/`warn`) conditional on `flag`;
 * `console.error` stays, since a failed look-up is worth knowing whoever asked. True when there was one.
 */
function gateLogs(setup: Node[], replacements: Replacements, flag: string): boolean {
  let gated = false
  for (const call of setup.flatMap((s) => s.getDescendants())) {
    if (!Node.isCallExpression(call) || !isConsoleCall(call) || replacements.has(call)) continue
    const method = call.getExpression()
    if (!Node.isPropertyAccessExpression(method) || method.getName() === 'error') continue
    const statement = call.getParent()
    if (Node.isExpressionStatement(statement) && replacements.has(statement)) continue
    if (Node.isExpressionStatement(statement) && Node.isBlock(statement.getParent())) {
      replacements.set(statement, () => `if (${flag}) ${renderChildren(statement, replacements)}`)
    } else {
      replacements.set(call, () => `${flag} && ${renderChildren(call, replacements)}`)
    }
    gated = true
  }
  return gated
}

/** `connectionClosed`, or why it cannot be written. */
export type ClosedCode =
  | BlockedHook
  | {
      status: 'written'
      text: string
      /** Logs dropped because they print the socket id. */
      droppedLogs: Node[]
    }

/**
 * The `disconnect` handler's code as `connectionClosed(user)`: the socket data it reads is the stream's
 * user, as in `channelsForConnection`. `userType`: the `ChatUser` alias is already declared above.
 */
export function closedCode(handler: SocketHandler, config: MigrationConfig, staged: StagedCode, userType: boolean, unit: string): ClosedCode {
  const blockers = [...handler.blockers, ...closedBlockers(handler)]
  if (blockers.length > 0) return { status: 'blocked', blockers }
  const keys = new Map<string, string>()
  const binding = (key: string) => keys.get(key) ?? keys.set(key, key).get(key)!
  const names = { event: 'event', connectionId: 'connectionId', binding, owner: () => '' }
  const result = rewriteUses(unrewrittenUses(handler.uses, staged), 'disconnect', handler.fn, names, config, staged)
  if (result.blockers.length > 0) return { status: 'blocked', blockers: result.blockers }
  const body = handler.fn.getBody()
  const code = relabelLogs(Node.isBlock(body) ? renderStatements(body.getStatements(), result.replacements, unit) : renderNode(body, result.replacements))
  const aliases = new Map(result.needs.aliases)
  for (const name of aliases.keys()) if (!mentions(code, name)) aliases.delete(name)
  const user = keys.has('user') || aliases.has('user') ? 'sseUser' : 'user'
  const destructure = keys.size + aliases.size > 0 ? [authLine(keys, aliases, `${user} as ChatUser`).replace('= await ', '= ')] : []
  return {
    status: 'written',
    text: [
      ...(destructure.length && !userType ? ['type ChatUser = Awaited<ReturnType<typeof authenticateSSE>>', ''] : []),
      '/** Once per stream that ends, as the former Socket.IO `disconnect` handler ran once per socket: its code. */',
      `export async function connectionClosed(${destructure.length ? user : `_${user}`}: SSEUser): Promise<void> {`,
      indentBlock([...destructure, code].join('\n'), unit),
      '}',
    ].join('\n'),
    droppedLogs: result.dropped,
  }
}

/** What a `disconnect` handler may do on a socket but not in a hook that only gets the user. */
function closedBlockers(handler: SocketHandler): Blocker[] {
  const blockers: Blocker[] = []
  for (const param of handler.fn.getParameters()) {
    const name = param.getNameNode()
    const read = Node.isIdentifier(name) && name.findReferencesAsNodes().some((ref) => ref !== name && isWithin(ref, handler.fn))
    if (read || !Node.isIdentifier(name)) blockers.push({ node: param, reason: `reads the disconnect reason (\`${param.getText()}\`), which an ended SSE stream does not give` })
  }
  for (const ref of moduleReferences(handler.fn)) {
    const decl = referencedDeclaration(ref)
    if (!Node.isVariableDeclaration(decl) || !isModuleLevel(decl)) continue
    const initializer = decl.getInitializer()
    if (Node.isArrowFunction(initializer) || Node.isFunctionExpression(initializer)) continue
    blockers.push({ node: ref, reason: `uses \`${ref.getText()}\`, state of the Socket.IO module (line ${decl.getStartLineNumber()}), which \`connectionClosed\` in another file does not share` })
  }
  return blockers
}
