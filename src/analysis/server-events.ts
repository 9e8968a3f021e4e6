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
  for (const site of server.emits) {
    if (site.method !== 'emit') continue
    const event = site.event ? eventName(site.event) : undefined
    if (event === undefined) return undefined
    events.add(event)
  }
  const uses = [...handlers.handlers.flatMap((handler) => handler.uses), ...handlers.connections.flatMap((connection) => connection.setupUses)]
  for (const use of uses) {
    if (use.kind !== 'emit-self' && use.kind !== 'emit-others') continue
    const event = Node.isCallExpression(use.node) ? eventName(use.node.getArguments()[0]) : undefined
    if (event === undefined) return undefined
    events.add(event)
  }
  return events
}
