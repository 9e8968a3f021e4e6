import { Node, SyntaxKind, type CallExpression, type ObjectLiteralExpression } from 'ts-morph'
import type { SocketCreation } from '../../src/analysis/client/types.js'
import type { ScriptEditor } from './editor.js'

/** io() options that mean nothing to an EventSource-based stream (transport, reconnection, namespaces ...): dropped. */
const NO_SSE_MEANING = new Set([
  'path', 'transports', 'reconnection', 'reconnectionAttempts', 'reconnectionDelay', 'reconnectionDelayMax',
  'randomizationFactor', 'timeout', 'forceNew', 'multiplex', 'upgrade', 'rememberUpgrade', 'withCredentials',
  'secure', 'ackTimeout', 'retries', 'closeOnBeforeunload', 'protocols', 'transportOptions', 'hostname', 'port',
  'tryAllTransports', 'timestampRequests', 'timestampParam', 'addTrailingSlash', 'parser',
])
/** Socket URLs that meant "this app", which is where the SSE stream is served. */
const SAME_ORIGIN = new Set(['window.location.origin', 'location.origin', 'undefined', "''", '""', "'/'", '"/"'])

/** What the io() call said that the stream still needs. */
interface StreamOptions {
  /** Expression of the credential, read through the `token` getter. */
  token?: Node
  autoConnect: boolean
}

/** The useChatSSE() call replacing an io() call, and whether it can be written anywhere in the app. */
export interface StreamCall {
  text: string
  autoConnect: boolean
  /** False when the credential reads variables or composables of the io() call's own scope. */
  selfContained: boolean
}

export function streamCall(ed: ScriptEditor, call: CallExpression): StreamCall {
  const options = readOptions(ed, call)
  const args = options.token ? `{ token: () => ${options.token.getText()} }` : ''
  return { text: `useChatSSE(${args})`, autoConnect: options.autoConnect, selfContained: !options.token || isSelfContained(options.token) }
}

function isSelfContained(node: Node): boolean {
  if (node.getDescendantsOfKind(SyntaxKind.CallExpression).some((c) => /^use[A-Z]/.test(c.getExpression().getText()))) return false
  const ids = Node.isIdentifier(node) ? [node] : node.getDescendantsOfKind(SyntaxKind.Identifier)
  return ids.every((id) => {
    const parent = id.getParent()
    if (parent && Node.isPropertyAccessExpression(parent) && parent.getNameNode() === id) return true
    return (id.getSymbol()?.getDeclarations() ?? []).every((d) => d.getSourceFile() !== node.getSourceFile())
  })
}

/** `io(url, { auth: { token }, transports, ... })` → `useChatSSE({ token: () => token })`, then `connect()` where io() connected. */
export function rewriteCreation(ed: ScriptEditor, creation: SocketCreation): void {
  const { call } = creation
  const stream = streamCall(ed, call)
  if (creation.reactiveContainer) ed.vueNames.add('markRaw')
  const connectAfter = stream.autoConnect ? connectStatementFor(call) : undefined
  const statement = call.getFirstAncestorByKind(SyntaxKind.ExpressionStatement) ?? call.getFirstAncestorByKind(SyntaxKind.VariableStatement)
  call.replaceWithText(creation.reactiveContainer ? `markRaw(${stream.text})` : stream.text)
  if (connectAfter && statement) {
    const parent = statement.getParent()
    if (parent && (Node.isBlock(parent) || Node.isSourceFile(parent))) parent.insertStatements(statement.getChildIndex() + 1, connectAfter)
  } else if (stream.autoConnect) {
    ed.report(statement ?? call, 'client/connect-by-hand', 'io() connected on creation; the stream is created here inside an expression, so no connect() call could be added after it', 'call connect() on the stream where it should open', 'warning')
  }
}

/** `socket.value = io()` → `socket.value.connect()`; `const socket = io()` → `socket.connect()`. */
function connectStatementFor(call: CallExpression): string | undefined {
  const parent = call.getParent()
  if (!parent) return undefined
  if (Node.isVariableDeclaration(parent) && Node.isIdentifier(parent.getNameNode())) return `${parent.getName()}.connect()`
  if (Node.isBinaryExpression(parent) && parent.getRight() === call && Node.isExpressionStatement(parent.getParent())) {
    return `${parent.getLeft().getText()}.connect()`
  }
  return undefined
}

function readOptions(ed: ScriptEditor, call: CallExpression): StreamOptions {
  const args = call.getArguments()
  const [first, second] = args
  const optionsArg = args.length === 1 && first && Node.isObjectLiteralExpression(first) ? first : second
  const url = optionsArg === first ? undefined : first
  if (url && !SAME_ORIGIN.has(url.getText())) {
    ed.report(url, 'client/socket-url-dropped', `the socket connected to \`${url.getText()}\`; the SSE stream is served by this Nuxt app at /api/chat/events`, 'nothing to do if the Socket.IO server was this app; otherwise pass `baseURL` to useChatSSE()', 'info')
  }
  const result: StreamOptions = { autoConnect: true }
  if (!optionsArg) return result
  if (!Node.isObjectLiteralExpression(optionsArg)) {
    ed.report(optionsArg, 'client/options-unknown', 'the socket options are not an object literal, so their credential could not be carried over', 'pass `{ token: () => yourToken }` to useChatSSE() if the app authenticates with a token')
    return result
  }
  for (const prop of optionsArg.getProperties()) {
    const name = Node.isPropertyAssignment(prop) || Node.isShorthandPropertyAssignment(prop) || Node.isMethodDeclaration(prop) ? prop.getName() : undefined
    if (name !== undefined && NO_SSE_MEANING.has(name)) continue
    if (name === 'autoConnect' && Node.isPropertyAssignment(prop)) {
      result.autoConnect = prop.getInitializerOrThrow().getText() !== 'false'
      continue
    }
    const token = name === 'auth' || name === 'query' || name === 'extraHeaders' ? tokenOf(ed, name, prop) : undefined
    if (token !== undefined) {
      result.token ??= token
      continue
    }
    if (name === 'auth' || name === 'query' || name === 'extraHeaders') continue // reported by tokenOf
    ed.report(prop, 'client/option-dropped', `the socket option \`${name ?? prop.getText()}\` has no meaning for the SSE stream and was dropped`, 'check that nothing depended on it', 'info')
  }
  return result
}

/** The credential in `auth: { token }`, `auth: (cb) => cb({ token })`, `query: { token }` or `extraHeaders: { Authorization: \`Bearer ${t}\` }`. */
function tokenOf(ed: ScriptEditor, option: string, prop: Node): Node | undefined {
  const value = Node.isPropertyAssignment(prop) ? prop.getInitializer() : Node.isShorthandPropertyAssignment(prop) ? prop.getNameNode() : undefined
  let object: ObjectLiteralExpression | undefined
  if (value && Node.isObjectLiteralExpression(value)) object = value
  else if (value && option === 'auth' && (Node.isArrowFunction(value) || Node.isFunctionExpression(value))) object = callbackObject(value)
  if (!object) {
    ed.report(prop, 'client/credential-unknown', `the socket's \`${option}\` is not an object literal, so its credential could not be carried over`, 'pass `{ token: () => yourToken }` to useChatSSE() if the app authenticates with a token')
    return undefined
  }
  let token: Node | undefined
  for (const entry of object.getProperties()) {
    const key = Node.isPropertyAssignment(entry) || Node.isShorthandPropertyAssignment(entry) ? entry.getName().replace(/^['"]|['"]$/g, '') : undefined
    const expr = Node.isPropertyAssignment(entry) ? entry.getInitializerOrThrow() : Node.isShorthandPropertyAssignment(entry) ? entry.getNameNode() : undefined
    if (option === 'extraHeaders' && key?.toLowerCase() === 'authorization' && Node.isPropertyAssignment(entry)) {
      token = bearerValue(entry.getInitializerOrThrow())
      if (token !== undefined) continue
    }
    if (option !== 'extraHeaders' && key === 'token' && expr !== undefined) {
      token = expr
      continue
    }
    ed.report(
      entry,
      'client/handshake-field-dropped',
      `the socket sent \`${key ?? entry.getText()}\` in its handshake ${option}; the SSE stream authenticates with the token only, so it is no longer sent`,
      'if the server trusted this value, derive it from the authenticated user instead; if it selected rooms, join them through a route',
      key && /user|id$/i.test(key) ? 'security' : 'warning',
    )
  }
  return token
}

/** `auth: (cb) => cb({ token: getToken() })`: the object handed to the callback. */
function callbackObject(fn: Node): ObjectLiteralExpression | undefined {
  if (!Node.isArrowFunction(fn) && !Node.isFunctionExpression(fn)) return undefined
  const cb = fn.getParameters()[0]?.getName()
  const call = fn.getDescendantsOfKind(SyntaxKind.CallExpression).find((c) => c.getExpression().getText() === cb)
  const arg = call?.getArguments()[0]
  return arg && Node.isObjectLiteralExpression(arg) ? arg : undefined
}

/** `` `Bearer ${token}` `` or `'Bearer ' + token` → `token`. */
function bearerValue(node: Node): Node | undefined {
  if (Node.isTemplateExpression(node) && node.getHead().getLiteralText() === 'Bearer ' && node.getTemplateSpans().length === 1) {
    const span = node.getTemplateSpans()[0]!
    if (span.getLiteral().getLiteralText() === '') return span.getExpression()
  }
  if (Node.isBinaryExpression(node) && /^['"]Bearer ['"]$/.test(node.getLeft().getText())) return node.getRight()
  return undefined
}
