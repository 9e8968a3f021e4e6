import { Node, type CallExpression, type PropertyAccessExpression } from 'ts-morph'
import { stringValue } from '../../src/analysis/client/resolve.js'
import type { ScriptEditor } from './editor.js'
import { fillUrl, routeFor, urlParams } from './routes.js'

/**
 * `socket.emit(event, payload, ack?)` → `stream.send(url, payload).then(ack)` and
 * `await socket.emitWithAck(event, payload)` → `await stream.send(url, payload)`, with the URL of the
 * route the server side made for the event.
 */
export function rewriteEmit(ed: ScriptEditor, access: PropertyAccessExpression, call: CallExpression, withAck: boolean): void {
  const [eventArg, ...rest] = call.getArguments()
  const event = stringValue(eventArg)
  if (event === undefined) {
    ed.report(call, 'client/dynamic-event', 'the event name is not a string literal, so the route it must call is unknown', 'call `send(url, payload)` of useChatSSE() with the URL of the route for each event')
    return
  }
  const route = routeFor(ed.ctx, event)
  if (route.status === 'missing') {
    ed.report(call, 'client/emit-no-route', `the server never handles the client event \`${event}\`, so there is no route to send it to`, `remove the emit, or add a server route for \`${event}\` and call it with send(url, payload)`)
    return
  }
  if (route.status === 'dropped') {
    const statement = call.getParent()
    if (rest.some(isFunctionLike)) {
      ed.report(call, 'client/emit-dropped', `\`${event}\` was dropped on the server (${route.reason}), but this emit waits for its acknowledgement, which will never come now`, 'remove the emit and what waits for its acknowledgement by hand')
    } else if (statement && Node.isExpressionStatement(statement)) {
      ed.report(call, 'client/emit-dropped', `\`${event}\` was dropped on the server (${route.reason}); its emit was removed`, 'nothing to do', 'info')
      ed.removeStatement(statement)
    } else {
      ed.report(call, 'client/emit-dropped', `\`${event}\` was dropped on the server (${route.reason}) but its emit's result is used`, 'remove the emit by hand')
    }
    return
  }
  const last = rest[rest.length - 1]
  const ack = !withAck && last && isFunctionLike(last) ? last : undefined
  const payloads = ack ? rest.slice(0, -1) : rest
  if (payloads.length > 1) {
    ed.report(call, 'client/emit-many-args', `\`${event}\` is emitted with ${payloads.length} arguments, but a REST call has one body`, 'wrap the arguments into one object and read it in the route')
    return
  }
  const payload = payloads[0]
  const url = urlWithParams(route.url, payload)
  if (url === undefined) {
    ed.report(call, 'client/route-params', `the route ${route.url} for \`${event}\` needs path parameters the payload does not provide`, 'build the URL by hand and call send(url, payload)')
    return
  }
  const typeArg = ack ? ackType(ack) : withAck ? awaitedType(call) : undefined
  // Edited piece by piece around the payload and the ack, so rewrites inside the ack compose.
  ed.replaceRange(access.getNameNode().getStart(), call.getArguments()[0]!.getStart(), `send${typeArg ? `<${typeArg}>` : ''}(`)
  ed.replace(eventArg!, url === route.url ? ed.quote(url) : url)
  if (ack) ed.replaceRange((payload ?? eventArg!).getEnd(), ack.getStart(), ').then(')
}

function isFunctionLike(node: Node): boolean {
  return Node.isArrowFunction(node) || Node.isFunctionExpression(node)
}

/** The type the ack's first parameter declares, which is what the route responds with. */
function ackType(ack: Node): string | undefined {
  if (!Node.isArrowFunction(ack) && !Node.isFunctionExpression(ack)) return undefined
  return ack.getParameters()[0]?.getTypeNode()?.getText()
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
