import { Node, SyntaxKind, type SourceFile, type Statement } from 'ts-morph'
import { unwrapExpression } from '../../ast/expression.js'
import type { ServerModel } from './types.js'
import { localDeclarations, referencesInFile } from '../../ast/scope.js'
import { descendantsOfKind, identifiers } from '../../ast/walk.js'

/** True for code the transforms so far rewrote or removed (the analysis reads the unedited snapshot). */
export type IsGone = (node: Node) => boolean

/** Route files that exist only to serve the Socket.IO / WebSocket endpoint (PATTERNS.md §8). Paths are relative to the server dir. */
const SOCKET_ROUTE = /^(routes|api)\/(socket\.io|socket|websocket|ws)(\.[cm]?[jt]s|\/.*)$/

/** Wrappers whose function argument is the file's real body. */
const HANDLER_WRAPPERS = new Set(['defineEventHandler', 'eventHandler', 'defineNitroPlugin', 'fromNodeMiddleware', 'defineLazyEventHandler'])

export type SocketRouteVerdict =
  | { action: 'delete' | 'ignore' }
  | { action: 'keep'; kind: 'remove/websocket-route-kept' | 'remove/proxy-route-kept'; reason: string }

/** True for `routes/socket.io.ts`, `api/socket.io/[...].ts`, `routes/websocket.ts` (path relative to the server dir). */
export function isSocketRoutePath(serverRelativePath: string): boolean {
  return SOCKET_ROUTE.test(serverRelativePath)
}

/**
 * Decide what to do with a socket route file: delete stubs and catch-alls of the Socket.IO server;
 * keep (and report) a proxy to another backend and a home-made WebSocket layer that does not use
 * Socket.IO; ignore a `socket.ts` / `ws.ts` route that has nothing to do with it.
 */
export function judgeSocketRoute(file: SourceFile, model: ServerModel, path: string): SocketRouteVerdict {
  const text = file.getFullText()
  const usesSocketIo =
    model.socketIoImporters.includes(path) ||
    model.accesses.some((access) => access.file === path) ||
    /from\s+['"](socket\.io|engine\.io)['"]/.test(text)
  if (!usesSocketIo && /\b(defineWebSocketHandler|defineWebSocket)\s*\(|\bwebsocket\s*:\s*\{/.test(text)) {
    return {
      action: 'keep',
      kind: 'remove/websocket-route-kept',
      reason: 'a Nitro WebSocket handler that does not use Socket.IO; it keeps working after the migration',
    }
  }
  if (!usesSocketIo && /\b(proxyRequest|sendProxy)\s*\(/.test(text)) {
    return {
      action: 'keep',
      kind: 'remove/proxy-route-kept',
      reason: 'proxies the socket path to another backend; that backend is not part of this migration',
    }
  }
  // A route that imports Socket.IO or sits on its path is its plumbing. One that only reaches the
  // server (`useNitroApp().io`, a singleton) is an API route on a socket-like path, such as
  // `api/socket/messages.post.ts`, that does real work and emits: its emits are rewritten, it stays,
  // unless serving io is all it does.
  const importsSocketIo = model.socketIoImporters.includes(path) || /from\s+['"](socket\.io|engine\.io)['"]/.test(text)
  if (importsSocketIo || path.includes('socket.io')) return { action: 'delete' }
  if (usesSocketIo) return isIoOnlyFile(file, model) ? { action: 'delete' } : { action: 'ignore' }
  // `socket.ts` / `ws.ts` that neither uses Socket.IO nor sits on its path may be anything: not ours.
  return isSocketIoStub(file) ? { action: 'delete' } : { action: 'ignore' }
}

/** h3 calls a placeholder handler makes to answer "not here" without doing anything. */
const STUB_CALLS = new Set(['defineEventHandler', 'eventHandler', 'setResponseStatus', 'createError', 'sendError', 'setResponseHeader', 'setHeader'])

/**
 * A placeholder left on a socket path "for Socket.IO": its text says so, and its only calls are the
 * handler wrapper and h3 response helpers (a 404 or 426 answer). It has no job once Socket.IO goes.
 */
function isSocketIoStub(file: SourceFile): boolean {
  if (!/socket\.?io/i.test(file.getFullText())) return false
  const calls = descendantsOfKind(file, SyntaxKind.CallExpression)
  if (calls.length === 0) return false
  return calls.every((call) => {
    const callee = call.getExpression()
    return Node.isIdentifier(callee) && STUB_CALLS.has(callee.getText())
  })
}

/**
 * True when every top-level statement of the file only serves io: imports, types, augmentations,
 * and statements (or handler bodies) that read, store or return the io server. Such a file is dead
 * once the server is gone (a socket middleware, a getter module, a singleton module).
 */
export function isIoOnlyFile(file: SourceFile, model: ServerModel, isGone: IsGone = () => false): boolean {
  const ioNodes = ioNodesOf(file, model, isGone)
  if (ioNodes.length === 0) return false
  const plumbing = socketPlumbing(file, model, ioNodes, isGone)
  return file.getStatements().every((statement) => isIoOnlyStatement(statement, ioNodes, plumbing))
}

/** Packages whose bindings are Socket.IO plumbing. */
const SOCKET_PACKAGES = /^(socket\.io|engine\.io|@socket\.io\/.*)$/

/**
 * Declarations that exist only for the server: bindings imported from socket.io / engine.io, the
 * HTTP server handed to `new Server(httpServer)`, clients handed to `createAdapter(pub, sub)`, and
 * variables initialized from those or from io
 * (`const engine = new Engine()`, `const attach = () => io.attach(server)`). Statements using them are io plumbing too.
 */
function socketPlumbing(file: SourceFile, model: ServerModel, ioNodes: Node[], isGone: IsGone): Set<Node> {
  const plumbing = new Set<Node>()
  for (const declaration of file.getImportDeclarations()) {
    if (!SOCKET_PACKAGES.test(declaration.getModuleSpecifierValue())) continue
    for (const named of declaration.getNamedImports()) plumbing.add(named)
    const clause = declaration.getImportClause()
    if (clause?.getDefaultImport()) plumbing.add(clause)
    const namespace = declaration.getNamespaceImport()
    if (namespace) plumbing.add(namespace)
  }
  // `export default holder` only hands out the object that holds the server.
  for (const container of model.containers) if (container.getSourceFile() === file && !isGone(container)) plumbing.add(container)
  for (const site of model.sites) {
    if (site.creation.getSourceFile() !== file || isGone(site.creation)) continue
    for (const argument of site.creation.getArguments()) {
      const target = unwrapExpression(argument)
      if (!Node.isIdentifier(target)) continue
      for (const declaration of localDeclarations(target)) plumbing.add(declaration)
    }
  }
  // Clients handed to Socket.IO plumbing (`createAdapter(pubClient, subClient)`) exist for it.
  for (const call of descendantsOfKind(file, SyntaxKind.CallExpression)) {
    if (!usesAny(call.getExpression(), plumbing)) continue
    for (const argument of call.getArguments()) {
      const target = unwrapExpression(argument)
      if (!Node.isIdentifier(target)) continue
      for (const declaration of localDeclarations(target)) plumbing.add(declaration)
    }
  }
  for (const declaration of descendantsOfKind(file, SyntaxKind.VariableDeclaration)) {
    const initializer = declaration.getInitializer()
    if (initializer && (usesAny(initializer, plumbing) || containsAny(initializer, ioNodes))) plumbing.add(declaration)
  }
  return plumbing
}

/**
 * The variables of `file` that exist only for the Socket.IO server (see `socketPlumbing`, without the
 * import bindings): the engine of Socket.IO's Nuxt recipe, the Redis clients of its adapter.
 */
export function plumbingVariables(file: SourceFile, model: ServerModel, isGone: IsGone = () => false): Set<Node> {
  const plumbing = socketPlumbing(file, model, ioNodesOf(file, model, isGone), isGone)
  return new Set([...plumbing].filter((declaration) => Node.isVariableDeclaration(declaration)))
}

/** True when the node mentions an identifier bound to one of the declarations. */
export function usesAny(node: Node, declarations: Set<Node>): boolean {
  if (declarations.size === 0) return false
  return [node, ...identifiers(node)].some(
    (identifier) => Node.isIdentifier(identifier) && localDeclarations(identifier).some((declaration) => declarations.has(declaration)),
  )
}

function ioNodesOf(file: SourceFile, model: ServerModel, isGone: IsGone): Node[] {
  const nodes: Node[] = [
    ...model.accesses.map((access) => access.node),
    ...model.stores.map((store) => store.node),
    ...model.holders,
    ...model.containers,
    ...model.getters.map((getter) => getter.declaration),
  ]
  return nodes.filter((node) => node.getSourceFile() === file && !isGone(node))
}

function isIoOnlyStatement(statement: Statement, ioNodes: Node[], plumbing: Set<Node>): boolean {
  if (
    Node.isImportDeclaration(statement) ||
    Node.isTypeAliasDeclaration(statement) ||
    Node.isInterfaceDeclaration(statement) ||
    Node.isModuleDeclaration(statement) ||
    Node.isEmptyStatement(statement)
  ) {
    return true
  }
  const body = wrappedBody(statement)
  if (body) return body.every((inner) => isIoOnlyStatement(inner, ioNodes, plumbing))
  return touchesIo(statement, ioNodes, plumbing) || onlyFeedsIo(statement, ioNodes, plumbing)
}

function touchesIo(node: Node, ioNodes: Node[], plumbing: Set<Node>): boolean {
  return containsAny(node, ioNodes) || usesAny(node, plumbing)
}

/** `const config = useRuntimeConfig()` read only by statements that touch io (the server's options). */
function onlyFeedsIo(statement: Statement, ioNodes: Node[], plumbing: Set<Node>): boolean {
  if (!Node.isVariableStatement(statement)) return false
  return statement.getDeclarations().every((declaration) => {
    const nameNode = declaration.getNameNode()
    if (!Node.isIdentifier(nameNode)) return false
    const references = referencesInFile(nameNode)
    return references.length > 0 && references.every((reference) => {
      const user = reference.getFirstAncestor((ancestor) => Node.isStatement(ancestor) && !Node.isBlock(ancestor))
      return user !== undefined && user !== statement && touchesIo(user, ioNodes, plumbing)
    })
  })
}

function containsAny(outer: Node, nodes: Node[]): boolean {
  return nodes.some((node) => node.getStart() >= outer.getStart() && node.getEnd() <= outer.getEnd())
}

/** The body statements of `export default defineEventHandler((event) => { ... })` and of a bare `export default (nitroApp) => { ... }`. */
function wrappedBody(statement: Statement): Statement[] | undefined {
  const expression = Node.isExportAssignment(statement) || Node.isExpressionStatement(statement) ? statement.getExpression() : undefined
  if (!expression) return undefined
  let target = unwrapExpression(expression)
  if (Node.isCallExpression(target)) {
    const callee = unwrapExpression(target.getExpression())
    const argument = target.getArguments()[0]
    if (!Node.isIdentifier(callee) || !HANDLER_WRAPPERS.has(callee.getText()) || !argument) return undefined
    target = unwrapExpression(argument)
  } else if (!Node.isExportAssignment(statement)) {
    return undefined
  }
  if (!Node.isArrowFunction(target) && !Node.isFunctionExpression(target)) return undefined
  const body = target.getBody()
  return Node.isBlock(body) ? body.getStatements() : undefined
}
