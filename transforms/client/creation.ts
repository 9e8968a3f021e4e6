import { Node, SyntaxKind, type CallExpression, type ObjectLiteralExpression } from 'ts-morph'
import { stringValue } from '../../src/analysis/client/syntax.js'
import type { SocketCreation } from '../../src/analysis/client/types.js'
import type { KeptSocketIO } from './kept.js'
import type { ScriptEditor } from './editor.js'
import { indentOf } from '../shared/reindent.js'
import { streamBaseURL } from './rest-urls.js'
import { descendantsOfKind, identifierNames, identifiers } from '../../src/ast/walk.js'
import { isVueBlockPath } from '../../src/project/vue.js'
import { bindingNames, isDeclaredInFile } from '../../src/ast/scope.js'
import { freeName } from '../../src/text/free-name.js'

/** io() options that mean nothing to an EventSource-based stream (transport, reconnection delays, namespaces ...): dropped. */
const NO_SSE_MEANING = new Set([
  'path', 'transports', 'reconnectionDelay', 'reconnectionDelayMax',
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
  /** `reconnectionAttempts: N` as written, or `0` for `reconnection: false`: the stream's `reconnectAttempts`. */
  reconnectAttempts?: Node | 0
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
  const baseURL = streamBaseURL(ed, call, true)
  return streamCallFrom(readOptions(ed, call), baseURL ? { baseURL } : {})
}

/** A socket that stays beside the stream for some events: the `socketIO` option, laid out where the call is written. */
interface KeptSocketOption {
  /** The io() call, as written. */
  socket: string
  events: string[]
  /** Indentation of the line the call is on, and one level of the file's indentation. */
  indent: string
  unit: string
}

/** Where and how the useChatSSE() call is written. */
interface StreamCallContext {
  /** The stream's `baseURL` option, when it is not the default. */
  baseURL?: string
  hoisted?: Hoisted
  /** The socket was app-wide, so the stream must not end with the component that first created it. */
  detached?: boolean
  /** The socket stays beside the stream for the events listed. */
  kept?: KeptSocketOption
  /** The io() options spanned lines: the stream's options do too, in the same layout. */
  multiline?: { indent: string; unit: string; trailingComma: boolean }
}

function streamCallFrom(options: StreamOptions, { baseURL, hoisted, detached = false, kept, multiline }: StreamCallContext): StreamCall {
  const token = options.token && (hoisted ? hoisted.token : options.token.getText())
  const attempts = options.reconnectAttempts
  const fields = [
    ...(token ? [`token: () => ${token}`] : []),
    ...(baseURL ? [`baseURL: ${baseURL}`] : []),
    ...(attempts !== undefined ? [`reconnectAttempts: ${attempts === 0 ? '0' : attempts.getText()}`] : []),
    ...(detached ? ['detached: true'] : []),
  ]
  const selfContained = (!options.token || isSelfContained(options.token)) && (attempts === undefined || attempts === 0 || isSelfContained(attempts))
  if (kept) return { text: keptSocketCall(fields, kept), autoConnect: options.autoConnect, selfContained }
  if (multiline && fields.length > 1) {
    const { indent, unit, trailingComma } = multiline
    const lines = fields.map((field, i) => `${indent}${unit}${field}${i < fields.length - 1 || trailingComma ? ',' : ''}`)
    return { text: `useChatSSE({\n${lines.join('\n')}\n${indent}})`, autoConnect: options.autoConnect, selfContained }
  }
  const args = fields.length > 0 ? `{ ${fields.join(', ')} }` : ''
  return { text: `useChatSSE(${args})`, autoConnect: options.autoConnect, selfContained }
}

/** An io() options object written over several lines: the indentation of its statement, and whether it ends with a comma. */
function optionsLayout(ed: ScriptEditor, call: CallExpression, statement: Node | undefined): StreamCallContext['multiline'] {
  const object = call.getArguments().find((arg) => Node.isObjectLiteralExpression(arg))
  if (!object || !object.getText().includes('\n')) return undefined
  return { indent: indentOf(statement ?? call), unit: ed.style.indent, trailingComma: /,\s*}$/.test(object.getText()) }
}

/** `useChatSSE({ ..., socketIO: { socket: io(...), events: [...] } })`, one option per line when the io() call spans lines. */
function keptSocketCall(fields: string[], kept: KeptSocketOption): string {
  const events = `[${kept.events.join(', ')}]`
  if (!kept.socket.includes('\n')) return `useChatSSE({ ${[...fields, `socketIO: { socket: ${kept.socket}, events: ${events} }`].join(', ')} })`
  const [one, two] = [kept.indent + kept.unit, kept.indent + kept.unit + kept.unit]
  // The io() call moves two levels deeper: its continuation lines follow.
  const socket = kept.socket.replace(/\n/g, `\n${kept.unit}${kept.unit}`)
  const lines = [...fields.map((field) => `${one}${field},`), `${one}socketIO: {`, `${two}socket: ${socket},`, `${two}events: ${events},`, `${one}},`]
  return `useChatSSE({\n${lines.join('\n')}\n${kept.indent}})`
}

function isSelfContained(node: Node): boolean {
  if (composableCalls(node).length > 0) return false
  const ids = Node.isIdentifier(node) ? [node] : identifiers(node)
  return ids.every((id) => !isDeclaredInFile(id))
}

function composableCalls(node: Node): CallExpression[] {
  const calls = Node.isCallExpression(node) ? [node, ...descendantsOfKind(node, SyntaxKind.CallExpression)] : descendantsOfKind(node, SyntaxKind.CallExpression)
  return calls.filter((c) => /^use[A-Z]\w*$/.test(c.getExpression().getText()))
}

/**
 * A credential read through a composable (`useCookie('token').value`) must not be read lazily by
 * the stream: composables only work where io() was called. The composable call moves into a
 * variable there, and the getter reads the variable.
 */
interface Hoisted {
  declaration: string
  token: string
}

function hoistComposable(token: Node, statement: Node | undefined): Hoisted | undefined {
  const call = composableCalls(token)[0]
  if (!call || !statement) return undefined
  // In a .vue block the template (not in this tree) may read a prop of any name the script spells.
  const sourceFile = token.getSourceFile()
  const taken = isVueBlockPath(sourceFile.getFilePath()) ? identifierNames(sourceFile) : bindingNames(sourceFile)
  const literal = stringValue(call.getArguments()[0])
  const base = literal !== undefined && /^[A-Za-z][\w-]*$/.test(literal) ? camelCase(literal) : lowerFirst(call.getExpression().getText().slice(3))
  const name = freeName(base, taken)
  const start = token.getStart()
  const text = token.getText()
  const replaced = text.slice(0, call.getStart() - start) + name + text.slice(call.getEnd() - start)
  return { declaration: `const ${name} = ${call.getText()}`, token: replaced }
}

function camelCase(text: string): string {
  return text.replace(/[-_]+(\w)/g, (_, c: string) => c.toUpperCase())
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1)
}

/** `io(url, { auth: { token }, transports, ... })` → `useChatSSE({ token: () => token })`, then `connect()` where io() connected. */
export function rewriteCreation(ed: ScriptEditor, creation: SocketCreation): void {
  const { call } = creation
  if (creation.keptBy) return updateKeptSocket(ed, creation.keptBy, call)
  const statement = enclosingStatement(call)
  const options = readOptions(ed, call)
  const token = options.token
  const hoisted = token ? hoistComposable(token, statement) : undefined
  const keptSocket = ed.kept ? keepSocket(ed, ed.kept, call, statement) : undefined
  const baseURL = streamBaseURL(ed, call, false)
  const multiline = optionsLayout(ed, call, statement)
  const stream = streamCallFrom(options, {
    ...(baseURL ? { baseURL } : {}),
    ...(hoisted ? { hoisted } : {}),
    detached: creation.outlivesComponent,
    ...(keptSocket ? { kept: keptSocket } : {}),
    ...(multiline ? { multiline } : {}),
  })
  if (!keptSocket) rememberDroppedNames(ed, call, token)
  if (hoisted && statement) ed.insert(statement.getStart(), `${hoisted.declaration}${ed.style.semicolons ? ';' : ''}\n${indentOf(statement)}`)
  if (creation.reactiveContainer) ed.vueNames.add('markRaw')
  const streamText = creation.reactiveContainer ? `markRaw(${stream.text})` : stream.text
  const connectAfter = stream.autoConnect ? connectStatementFor(call) : undefined
  if (stream.autoConnect && !connectAfter && (rewriteLazyInit(ed, call, streamText) || rewriteReturned(ed, call, streamText))) return
  ed.replace(call, streamText)
  if (connectAfter && statement) {
    ed.insertStatementAfter(statement, connectAfter)
  } else if (stream.autoConnect) {
    ed.report(statement ?? call, 'client/connect-by-hand', 'io() connected on creation; the stream is created here inside an expression, so no connect() call could be added after it', 'call connect() on the stream where it should open')
  }
}

/**
 * The socket stays, created as before, inside the stream that now carries everything else:
 * `{ socket: io(...), events: [...] }`, reported with why each event stays.
 */
function keepSocket(ed: ScriptEditor, kept: KeptSocketIO, call: CallExpression, statement: Node | undefined): KeptSocketOption {
  reportKeptSocket(ed, kept, call)
  return { socket: call.getText(), events: kept.events.map((event) => ed.quote(event.event)), indent: indentOf(statement ?? call), unit: ed.style.indent }
}

function reportKeptSocket(ed: ScriptEditor, kept: KeptSocketIO, call: CallExpression): void {
  const why = [
    ...(kept.events.length > 0 ? [`for the events that stay on Socket.IO: ${kept.events.map((event) => `\`${event.event}\` (${event.why})`).join('; ')}`] : []),
    ...kept.lifecycle.map((reason) => `connected because ${reason}`),
  ]
  ed.report(
    call,
    'client/socket-kept',
    `the socket stays beside the SSE stream, ${why.join(', and ')}`,
    'make that server code migratable (see its follow-ups), then run the migration again: the socket and socket.io-client go then',
  )
}

/**
 * A socket an earlier run kept beside the stream: its events list follows what stays on Socket.IO
 * now, and once nothing does, the `socketIO` option goes with the io() call.
 */
function updateKeptSocket(ed: ScriptEditor, handle: CallExpression, call: CallExpression): void {
  const options = handle.getArguments()[0]
  const property = options && Node.isObjectLiteralExpression(options) ? options.getProperty('socketIO') : undefined
  if (!options || !Node.isObjectLiteralExpression(options) || !property || !Node.isPropertyAssignment(property)) return
  if (ed.kept) {
    const list = property.getInitializer()
    const events = list && Node.isObjectLiteralExpression(list) ? list.getProperty('events') : undefined
    const current = events && Node.isPropertyAssignment(events) ? events.getInitializer() : undefined
    const next = `[${ed.kept.events.map((kept) => ed.quote(kept.event)).join(', ')}]`
    if (current && current.getText() !== next) ed.replace(current, next)
    reportKeptSocket(ed, ed.kept, call)
    return
  }
  rememberDroppedNames(ed, call, undefined)
  const others = options.getProperties().filter((other) => other !== property)
  ed.replace(options, others.length === 0 ? '' : `{ ${others.map((other) => other.getText()).join(', ')} }`)
}

/** `() => io()`, `return io()`, `provide(key, io())`: the stream is created and connected before it is handed over. */
function rewriteReturned(ed: ScriptEditor, call: CallExpression, streamText: string): boolean {
  let value: Node = call
  while (Node.isParenthesizedExpression(value.getParent())) value = value.getParent()!
  const parent = value.getParent()
  const semi = ed.style.semicolons ? ';' : ''
  const taken = identifierNames(call.getSourceFile())
  const name = freeName('stream', taken)
  const lines = (indent: string): string => `const ${name} = ${streamText}${semi}\n${indent}${name}.connect()${semi}\n${indent}return ${name}${semi}`
  if (parent && Node.isArrowFunction(parent) && parent.getBody() === value) {
    const indent = indentOf(parent.getFirstAncestorByKind(SyntaxKind.VariableStatement) ?? parent)
    ed.replace(value, `{\n${indent}${ed.style.indent}${lines(indent + ed.style.indent)}\n${indent}}`)
    return true
  }
  // `return io()`, `provide(key, io())`: created and connected just before the statement that uses it.
  const statement = unconditionalStatement(call)
  if (!statement) return false
  const indent = indentOf(statement)
  ed.insert(statement.getStart(), `const ${name} = ${streamText}${semi}\n${indent}${name}.connect()${semi}\n${indent}`)
  ed.replace(call, name)
  return true
}

/** The statement around a node that always evaluates it: no function, condition or short-circuit in between. */
function unconditionalStatement(node: Node): Node | undefined {
  let current: Node = node
  for (;;) {
    const parent = current.getParent()
    if (!parent) return undefined
    if (Node.isExpressionStatement(parent) || Node.isReturnStatement(parent) || Node.isVariableStatement(parent)) {
      const block = parent.getParent()
      return block && (Node.isBlock(block) || Node.isSourceFile(block)) ? parent : undefined
    }
    if (Node.isConditionalExpression(parent) && parent.getCondition() !== current) return undefined
    if (Node.isBinaryExpression(parent) && parent.getRight() === current && /^(&&|\|\||\?\?)=?$/.test(parent.getOperatorToken().getText())) return undefined
    if (Node.isArrowFunction(parent) || Node.isFunctionExpression(parent) || Node.isFunctionDeclaration(parent) || Node.isMethodDeclaration(parent)) return undefined
    current = parent
  }
}

/** Names the dropped url and options read, so that a variable only they used can go too. */
function rememberDroppedNames(ed: ScriptEditor, call: CallExpression, token: Node | undefined): void {
  for (const id of identifiers(call)) {
    if (token && id.getStart() >= token.getStart() && id.getEnd() <= token.getEnd()) continue
    ed.droppedNames.add(id.getText())
  }
}

/**
 * `socket ??= io()` as an arrow's body or a returned value (the module singleton): the stream is
 * created and connected once, then returned, as io() did.
 */
function rewriteLazyInit(ed: ScriptEditor, call: CallExpression, streamText: string): boolean {
  let value: Node = call
  while (Node.isParenthesizedExpression(value.getParent())) value = value.getParent()!
  const binary = value.getParent()
  if (!binary || !Node.isBinaryExpression(binary) || binary.getRight() !== value) return false
  const op = binary.getOperatorToken().getKind()
  if (op !== SyntaxKind.QuestionQuestionEqualsToken && op !== SyntaxKind.BarBarEqualsToken) return false
  let outer: Node = binary
  while (Node.isParenthesizedExpression(outer.getParent())) outer = outer.getParent()!
  const holder = binary.getLeft().getText()
  const semi = ed.style.semicolons ? ';' : ''
  const unit = ed.style.indent
  const init = (indent: string): string =>
    `if (!${holder}) {\n${indent}${unit}${holder} = ${streamText}${semi}\n${indent}${unit}${holder}.connect()${semi}\n${indent}}\n${indent}return ${holder}${semi}`
  const parent = outer.getParent()
  if (parent && Node.isArrowFunction(parent) && parent.getBody() === outer) {
    const indent = indentOf(parent.getFirstAncestorByKind(SyntaxKind.VariableStatement) ?? parent)
    ed.replace(outer, `{\n${indent}${unit}${init(indent + unit)}\n${indent}}`)
    return true
  }
  if (parent && Node.isReturnStatement(parent)) {
    ed.replace(parent, init(indentOf(parent)))
    return true
  }
  return false
}

/**
 * The statement the creation belongs to: the nearest one, so `const socket = io()` inside
 * `onMounted(() => { ... })` gets its `connect()` next to it, in the scope that declares `socket`.
 */
function enclosingStatement(call: CallExpression): Node | undefined {
  return call.getFirstAncestor((node) => Node.isExpressionStatement(node) || Node.isVariableStatement(node) || Node.isReturnStatement(node))
}

/** `socket.value = io()` → `socket.value.connect()`; `const socket = io()` → `socket.connect()`. */
function connectStatementFor(call: CallExpression): string | undefined {
  let value: Node = call
  // `markRaw(io())`: the stream is what the wrapper returns.
  while (Node.isCallExpression(value.getParent()) && value.getParent()!.getText().startsWith('markRaw(')) value = value.getParent()!
  const parent = value.getParent()
  if (!parent) return undefined
  if (Node.isVariableDeclaration(parent) && Node.isIdentifier(parent.getNameNode())) return `${parent.getName()}.connect()`
  if (Node.isBinaryExpression(parent) && parent.getRight() === value && Node.isExpressionStatement(parent.getParent())) {
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
    ed.report(url, 'client/socket-url-dropped', `the socket connected to \`${url.getText()}\`; the SSE stream is served by this Nuxt app at /api/chat/events`, 'nothing to do if the Socket.IO server was this app; otherwise pass `baseURL` to useChatSSE()')
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
    // Socket.IO gave up after these attempts (none without reconnection); the stream keeps that bound.
    if (name === 'reconnectionAttempts' && Node.isPropertyAssignment(prop)) {
      if (result.reconnectAttempts !== 0) result.reconnectAttempts = prop.getInitializerOrThrow()
      continue
    }
    if (name === 'reconnection' && Node.isPropertyAssignment(prop)) {
      if (prop.getInitializerOrThrow().getText() === 'false') result.reconnectAttempts = 0
      continue
    }
    const token = name === 'auth' || name === 'query' || name === 'extraHeaders' ? tokenOf(ed, name, prop) : undefined
    if (token !== undefined) {
      result.token ??= token
      continue
    }
    if (name === 'auth' || name === 'query' || name === 'extraHeaders') continue // reported by tokenOf
    ed.report(prop, 'client/option-dropped', `the socket option \`${name ?? prop.getText()}\` has no meaning for the SSE stream and was dropped`, 'check that nothing depended on it')
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
  const call = descendantsOfKind(fn, SyntaxKind.CallExpression).find((c) => c.getExpression().getText() === cb)
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
