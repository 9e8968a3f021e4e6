import { Node, SyntaxKind, type CallExpression, type Expression, type Identifier, type ParameterDeclaration, type PropertyAccessExpression } from 'ts-morph'
import type { Blocker, HandshakeRead, SocketUse } from './types.js'
import { isHoistable, isModuleLevel, isWithin, referencedDeclaration } from './scope.js'

/** Members of a Socket that are not data the app stored on it. */
const SOCKET_API = new Set([
  'id', 'data', 'emit', 'on', 'once', 'off', 'join', 'leave', 'to', 'in', 'except', 'broadcast', 'rooms',
  'handshake', 'request', 'conn', 'nsp', 'server', 'disconnect', 'connected', 'disconnected', 'volatile',
  'timeout', 'compress', 'use', 'onAny', 'offAny', 'prependAny', 'listeners', 'removeAllListeners', 'emitWithAck',
])

export interface UseScan {
  uses: SocketUse[]
  blockers: Blocker[]
}

export interface UseScanOptions {
  /** The socket parameter. */
  socket: ParameterDeclaration
  /** The acknowledgement parameter of a handler. */
  ack?: ParameterDeclaration
  /** Connection-scope variables that copy socket data: declaration → key. */
  aliases: Map<Node, string>
  /** Keys stored directly on the socket by a `declare module 'socket.io'` augmentation (`socket.user`). */
  augmentedKeys: ReadonlySet<string>
  /** Declarations inside this node are the body's own. */
  own: Node
  /** True when `node` is the io server (the server model's answer); io uses are rewritten by the server-emits transform. */
  isIo(node: Node): boolean
}

/** Classifies every reference to the socket, the ack callback and outer variables in `root`. */
export function scanSocketUses(root: Node, options: UseScanOptions): UseScan {
  const scan: UseScan = { uses: [], blockers: [] }
  root.forEachDescendant((node) => {
    if (!Node.isIdentifier(node)) return
    const decl = referencedDeclaration(node)
    if (!decl || isDeclarationName(node, decl)) return
    if (decl === options.socket) classifySocket(node, options, scan)
    else if (options.ack && decl === options.ack) classifyAck(node, scan)
    else if (options.aliases.has(decl)) scan.uses.push({ kind: 'data', node, key: options.aliases.get(decl)! })
    else if (decl.getSourceFile() !== root.getSourceFile() || isWithin(decl, options.own)) return
    else if (isModuleLevel(decl) || isHoistable(decl)) return
    else if (!options.isIo(node)) {
      const line = decl.getStartLineNumber()
      scan.blockers.push({ node, reason: `uses \`${node.getText()}\` declared around the handler (line ${line}), which a route cannot reach` })
    }
  })
  return scan
}

/** True for the identifier that declares `decl` (a parameter's own name), which is not a use of it. */
export function isDeclarationName(id: Identifier, decl: Node): boolean {
  return Node.hasName(decl) && decl.getNameNode() === id
}

/** `socket.x...` → one SocketUse, or a blocker. */
function classifySocket(id: Identifier, options: UseScanOptions, scan: UseScan): void {
  const access = id.getParentIfKind(SyntaxKind.PropertyAccessExpression)
  if (!access || access.getExpression() !== id) {
    scan.blockers.push({ node: id.getParent() ?? id, reason: 'passes the socket itself around, which has no HTTP equivalent' })
    return
  }
  const member = access.getName()
  if (member === 'data') return classifyData(access, scan)
  if (member === 'id') return void scan.uses.push({ kind: 'id', node: access })
  if (options.augmentedKeys.has(member)) return void scan.uses.push({ kind: 'data', node: access, key: member })
  const call = access.getParentIfKind(SyntaxKind.CallExpression)
  if (member === 'emit' && call?.getExpression() === access) return classifyEmit(call, scan)
  if ((member === 'join' || member === 'leave') && call?.getExpression() === access) {
    return void scan.uses.push({ kind: member, node: call, rooms: roomList(call.getArguments()[0]) })
  }
  if (member === 'to' || member === 'in' || member === 'broadcast') return classifyBroadcast(access, scan)
  if (member === 'handshake' || member === 'request') {
    const read = handshakeRead(access)
    if (read) return void scan.uses.push({ kind: 'handshake', node: read.node, read })
  }
  const what = SOCKET_API.has(member) ? `\`socket.${member}\`` : `\`socket.${member}\` (not set by the auth middleware)`
  scan.blockers.push({ node: access, reason: `uses ${what}, which has no SSE equivalent` })
}

function classifyData(access: Node, scan: UseScan): void {
  const parent = access.getParent()
  if (Node.isPropertyAccessExpression(parent) && parent.getExpression() === access) {
    scan.uses.push({ kind: 'data', node: parent, key: parent.getName() })
    return
  }
  if (Node.isElementAccessExpression(parent) && parent.getExpression() === access) {
    const arg = parent.getArgumentExpression()
    if (arg && Node.isStringLiteral(arg)) {
      scan.uses.push({ kind: 'data', node: parent, key: arg.getLiteralValue() })
      return
    }
  }
  scan.blockers.push({ node: parent ?? access, reason: 'uses `socket.data` as a whole; only `socket.data.<key>` can be mapped to the authenticated user' })
}

function classifyEmit(call: CallExpression, scan: UseScan): void {
  const args = call.getArguments() as Expression[]
  const [event, payload] = args
  if (event && Node.isStringLiteral(event) && event.getLiteralValue() === 'error') {
    scan.uses.push({ kind: 'emit-error', node: call, message: errorMessage(payload) })
    return
  }
  scan.uses.push({ kind: 'emit-self', node: call, args })
}

/** The message of `socket.emit('error', { message })` / `socket.emit('error', 'text')`. */
function errorMessage(payload: Expression | undefined): Expression | undefined {
  if (!payload) return undefined
  if (Node.isObjectLiteralExpression(payload)) {
    const prop = payload.getProperty('message')
    if (Node.isPropertyAssignment(prop)) return prop.getInitializer()
    if (Node.isShorthandPropertyAssignment(prop)) return prop.getNameNode()
    return undefined
  }
  return payload
}

/** `socket.broadcast[.to(r)...].emit(...)` / `socket.to(r)[.to(r2)].emit(...)`. */
function classifyBroadcast(start: Node, scan: UseScan): void {
  const rooms: Expression[] = []
  let node: Node = start
  for (;;) {
    if (Node.isPropertyAccessExpression(node)) {
      const name = node.getName()
      const parent = node.getParent()
      if (name === 'broadcast') {
        node = parent!
        continue
      }
      if (Node.isCallExpression(parent) && parent.getExpression() === node) {
        if (name === 'to' || name === 'in') {
          rooms.push(...roomList(parent.getArguments()[0]))
          node = parent.getParent()!
          continue
        }
        if (name === 'emit') {
          scan.uses.push({ kind: 'emit-others', node: parent, rooms, args: parent.getArguments() as Expression[] })
          return
        }
      }
      scan.blockers.push({ node: topOfChain(node), reason: `uses \`.${name}\` on a socket broadcast, which has no SSE equivalent` })
      return
    }
    if (Node.isCallExpression(node) && node.getParent()) {
      node = node.getParent()!
      continue
    }
    scan.blockers.push({ node: topOfChain(start), reason: 'uses a socket broadcast operator without emitting' })
    return
  }
}

function topOfChain(node: Node): Node {
  let top = node
  while (Node.isPropertyAccessExpression(top.getParent()) || Node.isCallExpression(top.getParent())) top = top.getParent()!
  return top
}

/** `'a'` → [a]; `[a, b]` → [a, b]. */
function roomList(arg: Node | undefined): Expression[] {
  if (!arg) return []
  if (Node.isArrayLiteralExpression(arg)) return arg.getElements()
  return [arg as Expression]
}

/** The name in `x.name` / `x['name']` / `x?.name`, when `node` is such an access. */
function accessedName(node: Node | undefined): string | undefined {
  if (Node.isPropertyAccessExpression(node)) return node.getName()
  if (Node.isElementAccessExpression(node)) {
    const arg = node.getArgumentExpression()
    if (arg && (Node.isStringLiteral(arg) || Node.isNoSubstitutionTemplateLiteral(arg))) return arg.getLiteralValue()
  }
  return undefined
}

/** The parent of a node, skipping `( )`, `as T` and `!` wrappers. */
function parentThroughWrappers(node: Node): Node | undefined {
  let n = node.getParent()
  while (Node.isParenthesizedExpression(n) || Node.isAsExpression(n) || Node.isNonNullExpression(n)) n = n.getParent()
  return n
}

/** Reads `socket.handshake.{auth,headers,query}.<name>` and `socket.request.headers.<name>` / `socket.request...auth`. */
function handshakeRead(access: PropertyAccessExpression): HandshakeRead | undefined {
  const part = parentThroughWrappers(access)
  const section = accessedName(part)
  const leaf = part && parentThroughWrappers(part)
  const name = accessedName(leaf)
  if (access.getName() === 'request') {
    if (section === 'auth') return { kind: 'context', node: part as Expression, name: 'auth' }
    if (section === 'headers' && name) return { kind: 'header', node: leaf as Expression, name: name.toLowerCase() }
    if (section && name === 'auth') return { kind: 'context', node: leaf as Expression, name: 'auth' }
    return undefined
  }
  if (!name) return undefined
  if (section === 'auth') return { kind: 'auth', node: leaf as Expression, name }
  if (section === 'headers') return { kind: 'header', node: leaf as Expression, name: name.toLowerCase() }
  if (section === 'query') return { kind: 'query', node: leaf as Expression, name }
  return undefined
}

/** Handshake fields by which a client names its own user (`userId`, `user_id`, `uid`, `id`): not authentication. */
export function isClientSentId(name: string): boolean {
  return /^(user[_-]?id|uid|id)$/i.test(name)
}

/** `ack(x)`, `ack?.(x)`; guards such as `typeof ack === 'function'`, `if (ack)`, `ack && ack(x)` are fine. */
function classifyAck(id: Identifier, scan: UseScan): void {
  const parent = id.getParent()
  if (Node.isCallExpression(parent) && parent.getExpression() === id) {
    const [value] = parent.getArguments() as Expression[]
    scan.uses.push({ kind: 'ack', node: parent, value })
    return
  }
  if (isAckGuard(id)) return
  scan.blockers.push({ node: parent ?? id, reason: 'passes the acknowledgement callback on; only direct calls can become the response' })
}

/** `typeof ack === 'function'`, `if (ack)`, `ack && ...`: tests that are always true once `ack` is the response. */
export function isAckGuard(id: Node): boolean {
  const parent = id.getParent()
  if (Node.isTypeOfExpression(parent)) return true
  if (Node.isIfStatement(parent) && parent.getExpression() === id) return true
  if (Node.isBinaryExpression(parent) && parent.getLeft() === id && parent.getOperatorToken().getKind() === SyntaxKind.AmpersandAmpersandToken) return true
  return false
}
