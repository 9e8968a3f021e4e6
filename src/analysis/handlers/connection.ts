import { Node, SyntaxKind, type CallExpression, type ParameterDeclaration, type Statement } from 'ts-morph'
import type { AnalysisContext } from '../context.js'
import type { EmitSite, ServerModel } from '../server/types.js'
import { planEmit } from '../server/emit-plan.js'
import type { Blocker, ConnectionHandler, HandlerFunction, HandlerKind, SocketHandler } from './types.js'
import { scanSocketUses } from './socket-uses.js'
import { routeBlockers } from './statements.js'
import { referencedDeclaration } from './scope.js'
import { unwrapExpression } from '../../ast/expression.js'
import { descendantsOfKind } from '../../ast/walk.js'
import { eventName } from '../event-name.js'

const DISCONNECT_EVENTS = new Set(['disconnect', 'disconnecting'])
/** Keep-alive events: EventSource and the SSE heartbeat already do this. */
const PING_EVENTS = new Set(['ping', 'heartbeat'])

/** The inline function given to a call, if it is one. */
export function inlineFunction(node: Node | undefined): HandlerFunction | undefined {
  if (Node.isArrowFunction(node) || Node.isFunctionExpression(node)) return node
  return undefined
}

/** `socket.on('event', fn)` with an event name that is a literal or a constant of the app → [event, fn]. */
function socketOnCall(statement: Statement, socket: ParameterDeclaration): { call: CallExpression; event: string } | undefined {
  if (!Node.isExpressionStatement(statement)) return undefined
  const call = statement.getExpression()
  if (!Node.isCallExpression(call)) return undefined
  const callee = call.getExpression()
  if (!Node.isPropertyAccessExpression(callee) || !['on', 'once'].includes(callee.getName())) return undefined
  const target = callee.getExpression()
  if (!Node.isIdentifier(target) || referencedDeclaration(target) !== socket) return undefined
  const event = eventName(call.getArguments()[0])
  return event === undefined ? undefined : { call, event }
}

/**
 * `registerChatEvents(socket)` in the connection handler, calling a function of the plugin whose
 * body only registers handlers on its socket parameter: its statements (with that parameter as the
 * socket), so each handler moves like one written inline. Undefined for any other statement.
 */
function registrarCalled(statement: Statement, socket: ParameterDeclaration): { statements: Statement[]; socket: ParameterDeclaration } | undefined {
  if (!Node.isExpressionStatement(statement)) return undefined
  const call = statement.getExpression()
  if (!Node.isCallExpression(call) || call.getArguments().length !== 1) return undefined
  const [argument] = call.getArguments()
  const callee = call.getExpression()
  if (!Node.isIdentifier(callee) || !Node.isIdentifier(argument) || referencedDeclaration(argument) !== socket) return undefined
  const declaration = referencedDeclaration(callee)
  const fn = Node.isFunctionDeclaration(declaration) ? declaration : Node.isVariableDeclaration(declaration) ? inlineFunction(declaration.getInitializer()) : undefined
  if (!fn || (Node.isVariableDeclaration(declaration) && declaration.getVariableStatement()?.getDeclarationKind() !== 'const')) return undefined
  // Called once, here: a registrar shared by two connection handlers (or called twice) is left as setup code.
  const name = Node.isFunctionDeclaration(fn) ? fn.getNameNode() : Node.isVariableDeclaration(declaration) ? declaration.getNameNode() : undefined
  if (!name || !Node.isIdentifier(name) || name.findReferencesAsNodes().filter((ref) => ref !== name).length !== 1) return undefined
  const [parameter, ...others] = fn.getParameters()
  const body = fn.getBody()
  if (!parameter || others.length > 0 || !Node.isIdentifier(parameter.getNameNode()) || !Node.isBlock(body)) return undefined
  const inner = body.getStatements()
  return inner.length > 0 && inner.every((each) => socketOnCall(each, parameter) !== undefined) ? { statements: inner, socket: parameter } : undefined
}

/** Connection-scope `const x = socket.data.k`, `const { k } = socket.data`, `const u = socket.user`: declaration → key. */
function dataAliases(statements: Statement[], socket: ParameterDeclaration, augmentedKeys: ReadonlySet<string>): Map<Node, string> {
  const aliases = new Map<Node, string>()
  const isSocket = (node: Node) => Node.isIdentifier(node) && referencedDeclaration(node) === socket
  for (const statement of statements) {
    if (!Node.isVariableStatement(statement)) continue
    for (const decl of statement.getDeclarations()) {
      const initializer = decl.getInitializer()
      const init = initializer && unwrapExpression(initializer)
      if (!Node.isPropertyAccessExpression(init)) continue
      const nameNode = decl.getNameNode()
      const owner = init.getExpression()
      if (Node.isIdentifier(nameNode)) {
        const path = socketDataPath(init, isSocket, augmentedKeys)
        if (path) aliases.set(decl, path)
      } else if (Node.isObjectBindingPattern(nameNode) && init.getName() === 'data' && isSocket(owner)) {
        for (const element of nameNode.getElements()) {
          const key = element.getPropertyNameNode()?.getText() ?? element.getName()
          if (!element.getDotDotDotToken()) aliases.set(element, key)
        }
      }
    }
  }
  return aliases
}

/**
 * `socket.data.userId` → `userId`, `socket.data.user.id` → `user.id`, `socket.user.id` (a key of a
 * `declare module 'socket.io'` augmentation) → `user.id`: the path of socket data a plain chain of
 * property reads copies, or undefined for anything else.
 */
function socketDataPath(access: Node, isSocket: (node: Node) => boolean, augmentedKeys: ReadonlySet<string>): string | undefined {
  const names: string[] = []
  let current: Node = access
  while (Node.isPropertyAccessExpression(current) && !current.hasQuestionDotToken()) {
    names.unshift(current.getName())
    const object = current.getExpression()
    if (isSocket(object)) {
      if (names[0] === 'data' && names.length > 1) return names.slice(1).join('.')
      return augmentedKeys.has(names[0]!) ? names.join('.') : undefined
    }
    current = object
  }
  return undefined
}

function handlerKind(event: string): HandlerKind {
  if (DISCONNECT_EVENTS.has(event)) return 'disconnect'
  if (PING_EVENTS.has(event)) return 'ping'
  return 'event'
}

/** True when every statement of the body is a `console.*(...)` call. */
function onlyLogs(fn: HandlerFunction): boolean {
  const body = fn.getBody()
  if (!Node.isBlock(body)) return isConsoleCall(body)
  const statements = body.getStatements()
  const logs = statements.filter((s) => Node.isExpressionStatement(s) && isConsoleCall(s.getExpression()))
  // `const userId = socket.data.userId` read only to be printed is part of the log line.
  return logs.length > 0 && statements.every((s) => logs.includes(s) || readOnlyForLogs(s, logs))
}

/** A `const` of plain reads (no call) whose every use is inside one of the log statements. */
function readOnlyForLogs(statement: Node, logs: readonly Node[]): boolean {
  if (!Node.isVariableStatement(statement) || statement.getDeclarationKind() !== 'const') return false
  if (statement.getDescendantsOfKind(SyntaxKind.CallExpression).length > 0) return false
  return statement.getDeclarations().every((decl) => {
    const name = decl.getNameNode()
    if (!Node.isIdentifier(name)) return false
    const uses = name.findReferencesAsNodes().filter((ref) => ref !== name && ref.getSourceFile() === statement.getSourceFile())
    return uses.every((ref) => logs.some((log) => log.containsRange(ref.getPos(), ref.getEnd())))
  })
}

/** `console.log(...)` and friends. */
export function isConsoleCall(node: Node): boolean {
  if (!Node.isCallExpression(node)) return false
  const callee = node.getExpression()
  return Node.isPropertyAccessExpression(callee) && callee.getExpression().getText() === 'console'
}

const ACK_NAME = /^(?:ack|acknowledge|cb|callback|done|respond|reply|res|fn)$/i

/** The last parameter is the acknowledgement: the body calls it, or its name or type says it is one. */
function isAckParam(fn: HandlerFunction, param: ParameterDeclaration, only: boolean): boolean {
  const called = descendantsOfKind(fn, SyntaxKind.CallExpression).some((call) => {
    const callee = call.getExpression()
    return Node.isIdentifier(callee) && referencedDeclaration(callee) === param
  })
  if (called || only) return called
  const type = param.getTypeNode()
  return ACK_NAME.test(param.getName()) || (type !== undefined && Node.isFunctionTypeNode(type))
}

/**
 * The handler's parameters: `(data, ack)`, `(roomId, text)` (positional), `(roomId, text, ack)`. A lone
 * parameter the body calls is the ack (`socket.emit('rooms', cb)` sends no payload).
 */
function handlerParams(fn: HandlerFunction): { payload?: ParameterDeclaration; positional?: ParameterDeclaration[]; ack?: ParameterDeclaration } {
  const params = fn.getParameters()
  const last = params[params.length - 1]
  if (!last) return {}
  const ack = isAckParam(fn, last, params.length === 1) ? last : undefined
  const data = ack ? params.slice(0, -1) : params
  return data.length > 1 ? { positional: data, ack } : { payload: data[0], ack }
}

export function analyseConnection(
  ctx: AnalysisContext,
  server: ServerModel,
  call: CallExpression,
  augmentedKeys: ReadonlySet<string>,
): ConnectionHandler | undefined {
  const file = ctx.repo.relative(call.getSourceFile().getFilePath())
  const fn = inlineFunction(call.getArguments()[1])
  const socket = fn?.getParameters()[0]
  const body = fn?.getBody()
  if (!fn || !socket || !Node.isIdentifier(socket.getNameNode()) || !Node.isBlock(body)) {
    ctx.report(call, {
      kind: 'handlers/connection-not-inline',
      reason: 'the connection handler is not an inline function with a socket parameter and a block body',
      action: 'move each `socket.on` handler to a POST route and the connection-time joins to `channelsForConnection` in server/utils/sse-hooks.ts by hand',
    })
    return undefined
  }
  const isIo = (node: Node) => server.isIoExpression(node)
  const statements = body.getStatements()
  /** Emits that become SSE calls; any other use of io in a handler would leave a route calling a server that is gone. */
  const migratedEmits = server.emits.filter((site) => site.file === file && planEmit(site, ctx.config.rooms).ok)
  const ioBlockers = (root: Node): Blocker[] => ioUsesBeyondEmits(root, isIo, migratedEmits)
  const aliases = dataAliases(statements, socket, augmentedKeys)
  const handlers: SocketHandler[] = []
  const setup: Statement[] = []
  const setupBlockers: ConnectionHandler['setupBlockers'] = []
  const registrations: { statement: Statement; socket: ParameterDeclaration }[] = []
  for (const statement of statements) {
    const registrar = registrarCalled(statement, socket)
    if (registrar) registrations.push(...registrar.statements.map((inner) => ({ statement: inner, socket: registrar.socket })))
    else registrations.push({ statement, socket })
  }
  for (const { statement, socket } of registrations) {
    const on = socketOnCall(statement, socket)
    if (!on) {
      setup.push(statement)
      continue
    }
    const handlerFn = inlineFunction(on.call.getArguments()[1])
    if (!handlerFn) {
      setupBlockers.push({ node: on.call, reason: `the \`${on.event}\` handler is not an inline function, so its code cannot be moved to a route` })
      continue
    }
    const params = handlerParams(handlerFn)
    const scan = scanSocketUses(handlerFn, { socket, ack: params.ack, aliases, augmentedKeys, own: handlerFn, isIo })
    handlers.push({
      event: on.event,
      kind: handlerKind(on.event),
      file,
      call: on.call,
      fn: handlerFn,
      ...params,
      uses: scan.uses,
      blockers: [...scan.blockers, ...ioBlockers(handlerFn), ...routeBlockers(scan.uses, handlerFn)],
      onlyLogs: onlyLogs(handlerFn),
    })
  }
  const setupUses: ConnectionHandler['setupUses'] = []
  for (const statement of setup) {
    const scan = scanSocketUses(statement, { socket, aliases: new Map(), augmentedKeys, own: fn, isIo })
    setupUses.push(...scan.uses)
    setupBlockers.push(...scan.blockers)
  }
  const aliasNames = new Map<string, string>()
  for (const [decl, key] of aliases) aliasNames.set((decl as Node & { getName(): string }).getName(), key)
  return {
    file,
    call,
    fn,
    handlers,
    setup,
    setupUses,
    setupBlockers,
    dataAliases: aliasNames,
  }
}

/**
 * References to the io server in `root` that are not part of an emit the migration rewrites
 * (`io.in(room).fetchSockets()`, `io.sockets.sockets.size`, an emit with no SSE equivalent): a
 * route has no Socket.IO server to call them on.
 */
function ioUsesBeyondEmits(root: Node, isIo: (node: Node) => boolean, migratedEmits: readonly EmitSite[]): Blocker[] {
  const blockers: Blocker[] = []
  root.forEachDescendant((node, traversal) => {
    if (migratedEmits.some((site) => site.call === node)) return traversal.skip()
    if (!Node.isIdentifier(node) || !isIo(node)) return
    const use = topOfAccessChain(node)
    blockers.push({ node: use, reason: `uses the Socket.IO server (\`${use.getText()}\`) for more than an emit, which has no SSE equivalent` })
    traversal.skip()
  })
  return blockers
}

/** `io.in(r).fetchSockets()` from its `io`: the whole chain of accesses and calls on it. */
function topOfAccessChain(node: Node): Node {
  let current = node
  for (;;) {
    const parent = current.getParent()
    if (parent && ((Node.isPropertyAccessExpression(parent) && parent.getExpression() === current) || (Node.isCallExpression(parent) && parent.getExpression() === current))) {
      current = parent
      continue
    }
    return current
  }
}
