import { Node, SyntaxKind, type CallExpression } from 'ts-morph'
import { renamedEventLiteral, renamedEventNote } from '../../src/analysis/stream-events.js'
import type { SocketCreation, SocketMemberUse } from '../../src/analysis/client/types.js'
import type { ScriptEditor } from './editor.js'
import { rewriteEmit } from './emit.js'
import { reportSocketIOStrings } from './socket-strings.js'
import { LIFECYCLE } from './lifecycle-pair.js'
import { descendantsOfKind, identifierNames } from '../../src/ast/walk.js'
import { isConsoleCall } from '../../src/analysis/handlers/connection.js'
import { eventName } from '../../src/analysis/event-name.js'

/** Members with the same meaning under another name on the stream. */
const RENAMED: Record<string, string> = { open: 'connect', close: 'disconnect', removeListener: 'off' }
/** Members the stream has under the same name and signature. */
const SAME = new Set(['connect', 'disconnect'])
/** Events whose emit in an open handler (re)joins rooms. */
const JOIN_EVENT = /^join([_\-.:]?room)?$|^joinRoom$/i

/** Rewrites one `socket.<member>` onto the stream returned by useChatSSE(). */
export function rewriteMember(ed: ScriptEditor, use: SocketMemberUse): void {
  const { access, name, call } = use
  if (name === 'connected') {
    ed.insert(access.getEnd(), '.value')
    return
  }
  if (name === 'disconnected') {
    ed.replace(access.getNameNode(), 'connected.value === false')
    if (needsParens(access)) {
      ed.insert(access.getStart(), '(')
      ed.insert(access.getEnd(), ')')
    }
    return
  }
  if (name === 'id') {
    ed.replace(access.getNameNode(), 'connectionId.value')
    return
  }
  if (name === 'io') {
    rewriteManagerUse(ed, use)
    return
  }
  if (!call) {
    unsupported(ed, use, `\`${name}\` is read without being called`)
    return
  }
  if (name === 'on' || name === 'once' || name === 'off') return rewriteListener(ed, use, call)
  if (name === 'emit' || name === 'emitWithAck') return rewriteEmit(ed, access, call, name === 'emitWithAck')
  if ((name === 'disconnect' || name === 'close') && releasedOnUnmount(ed, call)) return
  if (SAME.has(name)) return
  const renamed = RENAMED[name]
  if (renamed) {
    ed.replace(access.getNameNode(), renamed)
    return
  }
  // The stream's removeAllListeners takes the same event names, `connect` and `disconnect` included.
  if (name === 'removeAllListeners' && call.getArguments().length <= 1) return
  unsupported(ed, use, `the stream of useChatSSE() has no counterpart for \`${name}\``)
}

function rewriteListener(ed: ScriptEditor, use: SocketMemberUse, call: CallExpression): void {
  const [eventArg, handler] = call.getArguments()
  if (use.name === 'off' && !eventArg) {
    // Socket.IO's `off()` drops every listener; the stream's `off` needs an event, its removeAllListeners() does that.
    ed.replace(use.access.getNameNode(), 'removeAllListeners')
    return
  }
  const event = eventName(eventArg)
  const signal = event === undefined ? undefined : LIFECYCLE[event]
  if (!signal) {
    // An app event: `on`/`once`/`off` mean the same on the stream.
    if (event === 'error' && use.name !== 'off' && serverRepliesWithErrors(ed)) reportErrorListener(ed, call)
    if (event !== undefined && use.name !== 'off') reportUnemitted(ed, call, event)
    const renamed = renamedEventLiteral(eventArg)
    if (renamed) {
      const note = renamedEventNote(renamed)
      ed.replace(eventArg!, renamed.text)
      ed.report(call, 'client/reserved-event-renamed', note.reason, note.action)
    }
    return
  }
  const pair = ed.lifecyclePairs.get(call)
  if (pair && use.name === 'off') {
    ed.replace(call, `${pair.holder}?.()`)
    return
  }
  if (use.name === 'off' && !handler) {
    // `off('connect')` drops every connect listener, as the stream's removeAllListeners('connect') does.
    ed.replace(use.access.getNameNode(), 'removeAllListeners')
    return
  }
  if (use.name !== 'on' || !handler) {
    unsupported(ed, use, `\`${use.name}('${event}')\` has no counterpart: the stream's ${signal}() returns the function that removes the listener`)
    return
  }
  if (event === 'connect') reportRejoin(ed, handler)
  reportSocketIOStrings(ed, event!, handler)
  // `on('connect', handler)` → `onOpen(handler)`: only the text before the handler changes, so edits inside it compose.
  ed.replaceRange(use.access.getNameNode().getStart(), handler.getStart(), `${signal}(`)
  if (pair) ed.insert(call.getStart(), `${pair.holder} = `)
}

/**
 * A listener of an event the app's server never emits never ran, and still does not; it is left
 * as it is and noted once per event, as dead code to look at.
 */
function reportUnemitted(ed: ScriptEditor, call: CallExpression, event: string): void {
  const emitted = ed.appEvents?.emitted
  if (!emitted || emitted.has(event) || !ed.appEvents!.firstNote('client/listener-never-emitted', event)) return
  ed.report(
    call,
    'client/listener-never-emitted',
    `no code of the app's server emits \`${event}\`, so this listener (and any other of it) never ran; it is kept as it was`,
    `nothing to do, unless another server sends \`${event}\`: then emit it with the SSE helpers of server/utils/sse.ts; otherwise remove the listeners`,
  )
}

/** Some server handler answered a client event with `socket.emit('error', ...)`. */
function serverRepliesWithErrors(ed: ScriptEditor): boolean {
  const { handlers, connections } = ed.ctx.model.handlers
  const uses = [...handlers.flatMap((h) => h.uses), ...connections.flatMap((c) => c.setupUses)]
  return uses.some((u) => u.kind === 'emit-error')
}

/**
 * The server's `socket.emit('error', …)` replies are now HTTP errors of the routes; the runtime hands
 * them to `on('error')` only for `post()` (the rewritten fire-and-forget emits), so say where they go.
 */
function reportErrorListener(ed: ScriptEditor, call: CallExpression): void {
  ed.report(
    call,
    'client/error-replies',
    "the server's `socket.emit('error', …)` replies are now HTTP errors of its routes: this listener gets them (`{ message, statusCode, data }` plus the fields of the error's data) for the fire-and-forget post() calls of this stream handle; a send() failure rejects its own promise instead",
    'nothing to do, unless an emit that now uses send() relied on this listener: add a .catch() to it',
  )
}

/** An open handler that emits `join_room` also does the first join, so it is kept; say so, since the runtime restores rooms on resume. */
function reportRejoin(ed: ScriptEditor, handler: Node): void {
  for (const inner of descendantsOfKind(handler, SyntaxKind.CallExpression)) {
    const callee = inner.getExpression()
    if (!Node.isPropertyAccessExpression(callee) || !['emit', 'emitWithAck'].includes(callee.getName())) continue
    const event = eventName(inner.getArguments()[0])
    if (event === undefined || !JOIN_EVENT.test(event)) continue
    ed.report(
      inner,
      'client/rejoin-kept',
      `\`${event}\` is sent every time the stream opens; the SSE runtime restores a resumed connection's rooms itself, but this call also does the first join, so it was kept`,
      'nothing to do; remove it only if the server already joins these rooms when the stream opens',
    )
  }
}

/** `!socket.disconnected` → `!(stream.connected.value === false)`. */
function needsParens(node: Node): boolean {
  const parent = node.getParent()
  return parent !== undefined && (Node.isPrefixUnaryExpression(parent) || Node.isPropertyAccessExpression(parent) || Node.isBinaryExpression(parent))
}

function unsupported(ed: ScriptEditor, use: SocketMemberUse, why: string): void {
  ed.report(use.call ?? use.access, `client/unsupported-member`, `${why}; left as is`, 'rewrite it by hand with the API of useChatSSE() (see app/composables/useChatSSE.ts)')
}

/**
 * `socket.io` is Socket.IO's Manager. Its `reconnect` listener that only re-joins rooms is provably
 * what the SSE runtime now does on resume, so it goes; anything else on the manager is reported.
 */
function rewriteManagerUse(ed: ScriptEditor, use: SocketMemberUse): void {
  const on = use.access.getParent()
  const call = on?.getParent()
  if (on && Node.isPropertyAccessExpression(on) && on.getName() === 'on' && call && Node.isCallExpression(call) && call.getExpression() === on) {
    const [eventArg, handler] = call.getArguments()
    const statement = call.getParent()
    if (eventName(eventArg) === 'reconnect' && handler && onlyJoinsRooms(handler) && statement && Node.isExpressionStatement(statement)) {
      ed.report(call, 'client/rejoin-removed', 'this reconnect listener only re-joined rooms, which the SSE runtime restores itself when the stream resumes; it was removed', 'nothing to do')
      ed.removeStatement(statement)
      for (const name of identifierNames(handler)) ed.droppedNames.add(name)
      return
    }
    // Left on the SSE handle, `.io.on` would throw when it runs; a listener that only logs loses nothing else.
    if (handler && onlyLogs(handler) && statement && Node.isExpressionStatement(statement)) {
      ed.report(call, 'client/manager-log-removed', `this listener only logged the Socket.IO manager's \`${eventName(eventArg) ?? eventArg?.getText() ?? ''}\` event; the SSE stream has no manager, so it was removed`, 'log from onError/onOpen of useChatSSE() if the messages are still wanted')
      ed.removeStatement(statement)
      for (const name of identifierNames(handler)) ed.droppedNames.add(name)
      return
    }
  }
  // `console.log('Transport:', socket.io.engine.transport.name)` would throw on the SSE handle; the line only printed it.
  const logLine = use.access.getFirstAncestor((node) => Node.isExpressionStatement(node))
  if (logLine && Node.isExpressionStatement(logLine) && isConsoleCall(logLine.getExpression())) {
    ed.report(use.access, 'client/manager-log-removed', `this log line printed \`${use.access.getParent()?.getText() ?? use.access.getText()}\` of the Socket.IO manager, which the SSE stream has not; it was removed`, 'nothing to do')
    ed.removeStatement(logLine)
    return
  }
  ed.report(
    use.access,
    'client/manager',
    '`socket.io` is the Socket.IO Manager (reconnection events and options); the SSE stream reconnects by itself and has no manager; left as is',
    'remove it, or use onOpen/onClose/onError/onReset of useChatSSE()',
  )
}

/** A handler whose every statement is a `console.*` call. */
function onlyLogs(handler: Node): boolean {
  if (!Node.isArrowFunction(handler) && !Node.isFunctionExpression(handler)) return false
  const body = handler.getBody()
  const statements = Node.isBlock(body) ? body.getStatements() : [body]
  return statements.length > 0 && statements.every((statement) => isConsoleCall(Node.isExpressionStatement(statement) ? statement.getExpression() : statement))
}

/** A handler whose every statement emits a join event, directly or in a loop over rooms. */
function onlyJoinsRooms(handler: Node): boolean {
  if (!Node.isArrowFunction(handler) && !Node.isFunctionExpression(handler)) return false
  const body = handler.getBody()
  const statements = Node.isBlock(body) ? body.getStatements() : [body]
  return statements.length > 0 && statements.every(joinsRooms)
}

function joinsRooms(node: Node): boolean {
  if (Node.isExpressionStatement(node)) return joinsRooms(node.getExpression())
  if (Node.isForOfStatement(node) || Node.isForInStatement(node)) {
    const body = node.getStatement()
    return Node.isBlock(body) ? body.getStatements().every(joinsRooms) : joinsRooms(body)
  }
  if (!Node.isCallExpression(node)) return false
  const callee = node.getExpression()
  if (!Node.isPropertyAccessExpression(callee)) return false
  if (callee.getName() === 'forEach') {
    const fn = node.getArguments()[0]
    return fn !== undefined && onlyJoinsRooms(fn)
  }
  const event = eventName(node.getArguments()[0])
  return ['emit', 'emitWithAck'].includes(callee.getName()) && event !== undefined && JOIN_EVENT.test(event)
}

const UNMOUNT_HOOKS = new Set(['onUnmounted', 'onBeforeUnmount', 'unmounted', 'beforeUnmount', 'destroyed', 'beforeDestroy'])
const SETUP_HOOKS = new Set(['setup', 'onMounted', 'onBeforeMount', 'mounted', 'beforeMount', 'created', 'beforeCreate'])

/**
 * A component that created its socket while mounting and disconnects it on unmount: a handle
 * useChatSSE() returns during setup is bound to the component's scope and already drops its
 * listeners and its claim on the shared stream when the component unmounts, so the call is
 * redundant and is dropped. A detached (app-wide) handle is not bound
 * to the component, so its `disconnect()` stays.
 */
function releasedOnUnmount(ed: ScriptEditor, call: CallExpression): boolean {
  if (ed.script.unit.kind !== 'vue' || ed.script.creations.length === 0) return false
  const statement = call.getParent()
  if (!statement || !Node.isExpressionStatement(statement)) return false
  if (!UNMOUNT_HOOKS.has(hookOf(statement) ?? '')) return false
  const boundToComponent = (c: SocketCreation): boolean => {
    const hook = hookOf(c.call)
    return !c.outlivesComponent && (hook === undefined || (hook !== null && SETUP_HOOKS.has(hook)))
  }
  if (!ed.script.creations.every(boundToComponent)) return false
  ed.report(call, 'client/disconnect-on-unmount', "the component's stream handle is released with the component (its listeners and its claim on the shared stream), so this call was redundant and was removed", 'nothing to do')
  ed.removeStatement(emptiedHook(statement) ?? statement)
  return true
}

/** The hook that would be left empty by removing its only statement: `onUnmounted(() => {...})` or `beforeUnmount() {...}`. */
function emptiedHook(statement: Node): Node | undefined {
  const body = statement.getParent()
  if (!body || !Node.isBlock(body) || body.getStatements().length !== 1) return undefined
  const fn = body.getParent()
  if (fn && Node.isMethodDeclaration(fn)) return fn
  const call = fn?.getParent()
  const hookStatement = call?.getParent()
  return call && Node.isCallExpression(call) && hookStatement && Node.isExpressionStatement(hookStatement) ? hookStatement : undefined
}

/** The lifecycle hook (or `setup`) whose callback holds a node directly; undefined at the top level of `<script setup>`. */
function hookOf(node: Node): string | undefined | null {
  const fn = node.getFirstAncestor((a) => Node.isArrowFunction(a) || Node.isFunctionExpression(a) || Node.isFunctionDeclaration(a) || Node.isMethodDeclaration(a))
  if (!fn) return undefined
  if (Node.isMethodDeclaration(fn)) return fn.getName()
  const parent = fn.getParent()
  if (parent && Node.isCallExpression(parent) && parent.getArguments()[0] === fn) return parent.getExpression().getText()
  return null
}
