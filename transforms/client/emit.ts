import { Node, type CallExpression, type PropertyAccessExpression } from 'ts-morph'
import type { ScriptEditor } from './editor.js'
import { fillUrl, routeFor, urlParams } from './routes.js'
import { restUrl } from './rest-urls.js'
import { mentionsIdentifier } from '../../src/ast/walk.js'
import { eventName } from '../../src/analysis/event-name.js'

/**
 * `await socket.emitWithAck(event, payload)` → `await stream.send(url, payload)`; an emit whose
 * result nobody uses (a statement of its own) → `stream.post(url, payload, ack?)`, which never
 * rejects, as `emit` never threw; an emit with an ack inside `new Promise((resolve, reject) => …)`
 * → `stream.send(url, payload).then(ack, reject)`, so a refused request settles the promise as a
 * failed ack did; with the URL of the route the server side made for the event.
 */
export function rewriteEmit(ed: ScriptEditor, access: PropertyAccessExpression, call: CallExpression, withAck: boolean): void {
  const [eventArg, ...rest] = call.getArguments()
  const event = eventName(eventArg)
  if (event === undefined) {
    const table = eventArg ? ed.routeTable() : undefined
    if (!table || !eventArg) {
      ed.report(call, 'client/dynamic-event', 'the event name is not a string literal, so the route it must call is unknown', 'call `send(url, payload)` of useChatSSE() with the URL of the route for each event', 'warning')
      return
    }
    ed.report(
      call,
      'client/dynamic-event',
      `the event name is only known at run time, so its route is looked up by \`${table}()\`, generated at the top of the file over the event→route table (routes with path parameters are not in it)`,
      'check that every event this code sends has a route in the table',
      'info',
    )
    writeSend(ed, access, call, eventArg, rest, withAck, `${table}(${eventArg.getText()})`)
    return
  }
  const route = routeFor(ed.ctx, event)
  if (route.status === 'missing') {
    // An event whose server handler stays is left as written: the stream hands it to the socket
    // kept beside it (see kept.ts and creation.ts).
    if (ed.kept?.events.some((kept) => kept.event === event)) return
    const statement = call.getParent()
    // With the app's own Socket.IO server and its connection handler in view, an event no handler
    // of it receives was dropped by Socket.IO; dropping the emit keeps that. A server elsewhere, or a
    // connection handler the analysis did not find, may handle it: then it stays.
    const serverInView = ed.ctx.model.server.sites.length > 0 && ed.ctx.model.handlers.connections.length > 0
    if (serverInView && !rest.some(isFunctionLike) && statement && Node.isExpressionStatement(statement)) {
      // One note per event: every emit of it goes the same way.
      if (!ed.appEvents || ed.appEvents.firstNote('client/emit-no-receiver', event)) {
        const others = (ed.appEvents?.clientEmits.get(event) ?? 1) - 1
        ed.report(call, 'client/emit-no-receiver', `no handler of the app's Socket.IO server receives \`${event}\`, so Socket.IO dropped this emit; it was removed${others > 0 ? `, and so were the ${others} other emit(s) of it` : ''}`, `nothing to do, unless another server handled \`${event}\`: then give it a route and call it with send(url, payload)`)
      }
      ed.removeStatement(statement)
      return
    }
    ed.report(call, 'client/emit-no-route', `the server never handles the client event \`${event}\`, so there is no route to send it to`, `remove the emit, or add a server route for \`${event}\` and call it with send(url, payload)`)
    return
  }
  if (route.status === 'dropped') {
    const statement = call.getParent()
    if (rest.some(isFunctionLike)) {
      ed.report(call, 'client/emit-dropped', `\`${event}\` was dropped on the server (${route.reason}), but this emit waits for its acknowledgement, which will never come now`, 'remove the emit and what waits for its acknowledgement by hand', 'warning')
    } else if (statement && Node.isExpressionStatement(statement)) {
      ed.report(call, 'client/emit-dropped', `\`${event}\` was dropped on the server (${route.reason}); its emit was removed`, 'nothing to do', 'info')
      ed.removeStatement(statement)
    } else {
      ed.report(call, 'client/emit-dropped', `\`${event}\` was dropped on the server (${route.reason}) but its emit's result is used`, 'remove the emit by hand', 'warning')
    }
    return
  }
  const payload = payloadOf(rest, withAck)
  const url = urlWithParams(route.url, payload)
  if (url === undefined) {
    ed.report(call, 'client/route-params', `the route ${route.url} for \`${event}\` needs path parameters the payload does not provide`, 'build the URL by hand and call send(url, payload)')
    return
  }
  writeSend(ed, access, call, eventArg!, rest, withAck, restUrl(ed, call, url), route.args)
}

function payloadOf(rest: Node[], withAck: boolean): Node | undefined {
  const last = rest[rest.length - 1]
  return !withAck && last && isFunctionLike(last) ? rest[rest.length - 2] : rest[0]
}

/**
 * `emit(event, payload, ack)` → `send<T>(url, payload).then(ack, reject)` inside a promise executor,
 * `post<T>(url, payload, ack)` as a statement, else `send<T>(url, payload).then(ack)` for the caller
 * to handle; edited piece by piece around the payload and the ack, so rewrites inside the ack compose.
 */
function writeSend(ed: ScriptEditor, access: PropertyAccessExpression, call: CallExpression, eventArg: Node, rest: Node[], withAck: boolean, url: string, args?: number): void {
  const last = rest[rest.length - 1]
  const ack = !withAck && last && isFunctionLike(last) ? last : undefined
  const payloads = ack ? rest.slice(0, -1) : rest
  // A route made from a handler with positional parameters reads them from one JSON array.
  const positional = args !== undefined && payloads.length > 1 && payloads.length <= args
  if (payloads.length > 1 && !positional) {
    ed.report(call, 'client/emit-many-args', `this emit has ${payloads.length} arguments, but a REST call has one body`, 'wrap the arguments into one object and read it in the route')
    return
  }
  const payload = payloads[payloads.length - 1]
  const close = positional ? ']' : ''
  if (positional) ed.insert(payloads[0]!.getStart(), '[')
  // An untyped ack got the response as socket.io's `any`; send() would give it `unknown`, so it stays `any`.
  const typeArg = ack ? (ackType(ack) ?? (readsResponse(ack) ? 'any' : undefined)) : withAck ? awaitedType(call) : undefined
  const typed = typeArg ? `<${typeArg}>` : ''
  const reject = ack ? executorReject(call) : undefined
  const posted = !withAck && reject === undefined && resultUnused(call)
  ed.replaceRange(access.getNameNode().getStart(), eventArg.getStart(), posted ? `post${ack ? typed : ''}(` : `send${typed}(`)
  ed.replace(eventArg, url)
  if (positional && (!ack || posted)) ed.insert(payload!.getEnd(), close)
  if (!ack) return
  if (posted) {
    if (!payload) ed.replaceRange(eventArg.getEnd(), ack.getStart(), ', undefined, ')
    ed.report(
      ack,
      'client/ack-on-success-only',
      'this callback now runs only when the request succeeds; a refused or failed request goes to on(\'error\') listeners (else console.error) instead of reaching it',
      'move any failure branch of the callback into an on(\'error\') listener, or use send(url, payload) and catch its rejection',
    )
    return
  }
  ed.replaceRange((payload ?? eventArg).getEnd(), ack.getStart(), `${close}).then(`)
  if (reject !== undefined) ed.insert(ack.getEnd(), `, ${reject}`)
}

/**
 * The emit runs in the executor of `new Promise((resolve, reject) => …)`, not in a function nested
 * in it: the executor's `reject`, which a refused request must reach, as a failed ack did.
 */
function executorReject(call: CallExpression): string | undefined {
  const executor = call.getFirstAncestor((node) => Node.isArrowFunction(node) || Node.isFunctionExpression(node) || Node.isFunctionDeclaration(node) || Node.isMethodDeclaration(node))
  if (!executor || !(Node.isArrowFunction(executor) || Node.isFunctionExpression(executor))) return undefined
  const created = executor.getParent()
  if (!created || !Node.isNewExpression(created) || created.getExpression().getText() !== 'Promise') return undefined
  if (created.getArguments()[0] !== executor) return undefined
  const name = executor.getParameters()[1]?.getNameNode()
  return name && Node.isIdentifier(name) ? name.getText() : undefined
}

/**
 * The emit is a statement of its own (`socket.value?.emit(...)`, `void socket.emit(...)`): nothing
 * awaits, returns or chains its result, so a rejection of send() would go unhandled.
 */
function resultUnused(call: CallExpression): boolean {
  const parent = call.getParent()
  if (parent && Node.isVoidExpression(parent)) return Node.isExpressionStatement(parent.getParent())
  return parent !== undefined && Node.isExpressionStatement(parent)
}

function isFunctionLike(node: Node): boolean {
  return Node.isArrowFunction(node) || Node.isFunctionExpression(node)
}

/** The type the ack's first parameter declares, which is what the route responds with. */
function ackType(ack: Node): string | undefined {
  if (!Node.isArrowFunction(ack) && !Node.isFunctionExpression(ack)) return undefined
  return ack.getParameters()[0]?.getTypeNode()?.getText()
}

/** The ack's untyped first parameter is used in its body. */
function readsResponse(ack: Node): boolean {
  if (!Node.isArrowFunction(ack) && !Node.isFunctionExpression(ack)) return false
  const param = ack.getParameters()[0]
  const name = param?.getNameNode()
  if (!param || !name || !Node.isIdentifier(name)) return param !== undefined
  return mentionsIdentifier(ack.getBody(), name.getText())
}

/** `const result: SendResult = await socket.emitWithAck(...)`: the type the result is declared with. */
function awaitedType(call: CallExpression): string | undefined {
  const awaited = call.getParent()
  const decl = awaited && Node.isAwaitExpression(awaited) ? awaited.getParent() : undefined
  return decl && Node.isVariableDeclaration(decl) ? decl.getTypeNode()?.getText() : undefined
}

/** The URL, or a template literal filling its path parameters from the payload; undefined when a parameter has no value. */
function urlWithParams(url: string, payload: Node | undefined): string | undefined {
  const params = urlParams(url)
  if (params.length === 0) return url
  if (!payload) return undefined
  const values = new Map<string, string>()
  for (const param of params) {
    const value = paramValue(payload, param)
    if (value === undefined) return undefined
    values.set(param, value)
  }
  return fillUrl(url, values)
}

function paramValue(payload: Node, param: string): string | undefined {
  if (Node.isObjectLiteralExpression(payload)) {
    const prop = payload.getProperty(param)
    if (prop && Node.isShorthandPropertyAssignment(prop)) return prop.getName()
    if (prop && Node.isPropertyAssignment(prop)) return prop.getInitializerOrThrow().getText()
    return undefined
  }
  // A variable or property holding the payload object: read the parameter from it.
  if (Node.isIdentifier(payload) || Node.isPropertyAccessExpression(payload)) return `${payload.getText()}.${param}`
  return undefined
}
