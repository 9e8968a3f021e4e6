import { Node } from 'ts-morph'
import type { HandlerModel } from './handlers/types.js'
import type { ServerModel } from './server/types.js'
import { eventName } from './event-name.js'

/** `error` reaches `on('error')` from the SSE runtime itself (a failed post), whatever the server emits. */
const RUNTIME_EVENTS = ['error']

/**
 * Every event the app's own server code emits (io emits, and the socket emits of its handlers and
 * connection code), or undefined when that cannot be known: no server or connection handler in
 * view, or an emit whose event is only known at run time.
 */
export function serverEmittedEvents(server: ServerModel, handlers: HandlerModel): ReadonlySet<string> | undefined {
  if (server.sites.length === 0 || handlers.connections.length === 0) return undefined
  const events = new Set(RUNTIME_EVENTS)
  for (const event of emittedEvents(server, handlers, ['emit'])) {
    if (event === undefined) return undefined
    events.add(event)
  }
  return events
}

/** The events server code names when it emits or handles them, by any method; names known only at run time are left out. */
export function namedServerEvents(server: ServerModel, handlers: HandlerModel): Set<string> {
  const events = new Set(handlers.handlers.filter((handler) => handler.kind === 'event').map((handler) => handler.event))
  for (const event of emittedEvents(server, handlers)) if (event !== undefined) events.add(event)
  return events
}

/** The event of each emit of the server (undefined when only known at run time); io emits only of the given methods. */
function* emittedEvents(server: ServerModel, handlers: HandlerModel, methods?: readonly string[]): Generator<string | undefined> {
  for (const site of server.emits) {
    if (methods && !methods.includes(site.method)) continue
    yield site.event ? eventName(site.event) : undefined
  }
  const uses = [...handlers.handlers.flatMap((handler) => handler.uses), ...handlers.connections.flatMap((connection) => connection.setupUses)]
  for (const use of uses) {
    if (use.kind !== 'emit-self' && use.kind !== 'emit-others') continue
    yield Node.isCallExpression(use.node) ? eventName(use.node.getArguments()[0]) : undefined
  }
}
