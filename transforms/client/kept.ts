import { Node } from 'ts-morph'
import { planEmit } from '../../src/analysis/server/emit-plan.js'
import { isEditedNode } from '../../src/changeset/ranges.js'
import type { TransformContext } from '../../src/transform.js'
import type { ClientScript } from '../../src/analysis/client/types.js'
import { routeFor } from './routes.js'
import { LIFECYCLE } from './lifecycle-pair.js'
import { eventName } from '../../src/analysis/event-name.js'

/** An event the client goes on sending or hearing over Socket.IO, and why. */
export interface KeptEvent {
  event: string
  why: string
}

/** What keeps the client's socket beside the SSE stream. */
export interface KeptSocketIO {
  events: KeptEvent[]
  /**
   * True when every event the client sends or hears stays on Socket.IO (and it names each one
   * literally): the SSE stream would carry nothing, so the client code is left as it was.
   */
  everything: boolean
  /** Server code that stays and runs on the socket's own life (a `disconnect` handler doing work): why the socket must stay connected. */
  lifecycle: string[]
}

const SENDS = new Set(['emit', 'emitWithAck'])
const HEARS = new Set(['on', 'once'])

/**
 * What stays on Socket.IO while the rest of the chat moves: the events the client emits to a server
 * handler that stays (it has no route), the events it listens to that server code staying on
 * Socket.IO sends (a kept handler's socket emits, an io emit with no SSE equivalent), and server
 * code that needs the socket connected (a `disconnect` handler doing work). Only events the client
 * uses count; undefined when everything moves.
 */
export function keptOnSocketIO(ctx: TransformContext): KeptSocketIO | undefined {
  const uses = clientEvents(ctx)
  const events = eventsKeptOnSocketIO(ctx, uses)
  const lifecycle = ctx.model.handlers.handlers
    // One that moved to `connectionClosed` went with its plugin, or out of the plugin that stays.
    .filter((handler) => handler.kind === 'disconnect' && !handler.onlyLogs && ctx.changes.currentText(handler.file) !== undefined && !isEditedNode(ctx.repo, ctx.changes, handler.call))
    .map((handler) => `the server's \`${handler.event}\` handler, which stays, runs when the socket goes away`)
  if (events.length === 0 && lifecycle.length === 0) return undefined
  const keptNames = new Set(events.map((kept) => kept.event))
  // The socket's own events keep no socket and move no data: every transport has them.
  const used = [...uses.sent, ...uses.heard].filter((event) => !Object.hasOwn(LIFECYCLE, event))
  // An earlier run already moved part of the client: what it left goes on through the handle.
  const everything = ctx.model.client.keptEvents.length === 0 && !uses.dynamic && used.length > 0 && used.every((event) => keptNames.has(event))
  return { events, lifecycle, everything }
}

export interface ClientEvents {
  sent: Set<string>
  heard: Set<string>
  /** Some emit or listener names its event with an expression. */
  dynamic: boolean
}

function clientEvents(ctx: TransformContext): ClientEvents {
  const { sent, heard, dynamic } = eventsOfScripts(ctx.model.client.scripts)
  // An earlier run's kept events are sent and heard through handles, which name no socket.
  for (const event of ctx.model.client.keptEvents) {
    sent.add(event)
    heard.add(event)
  }
  return { sent, heard, dynamic }
}

/** The events some client scripts send and hear on their sockets (the socket's own lifecycle events included). */
export function eventsOfScripts(scripts: readonly ClientScript[]): ClientEvents {
  const sent = new Set<string>()
  const heard = new Set<string>()
  let dynamic = false
  for (const script of scripts) {
    for (const use of script.members) {
      if (!SENDS.has(use.name) && !HEARS.has(use.name)) continue
      const event = use.call ? eventName(use.call.getArguments()[0]) : undefined
      if (event === undefined) {
        dynamic = true
        continue
      }
      if (SENDS.has(use.name)) sent.add(event)
      if (HEARS.has(use.name)) heard.add(event)
    }
  }
  return { sent, heard, dynamic }
}

function eventsKeptOnSocketIO(ctx: TransformContext, { sent, heard }: ClientEvents): KeptEvent[] {
  const kept = new Map<string, string>()
  const keptHandlers = ctx.model.handlers.handlers.filter((handler) => handler.kind === 'event' && routeFor(ctx, handler.event).status === 'missing')
  for (const handler of keptHandlers) {
    if (sent.has(handler.event)) kept.set(handler.event, `its server handler stays${handler.blockers[0] ? `: it ${handler.blockers[0].reason}` : ''}`)
  }
  for (const handler of keptHandlers) {
    for (const use of handler.uses) {
      if (use.kind !== 'emit-self' && use.kind !== 'emit-others' && use.kind !== 'emit-error') continue
      const event = emittedEvent(use.node)
      if (event !== undefined && heard.has(event) && !kept.has(event)) kept.set(event, `the \`${handler.event}\` handler, which stays, sends it over Socket.IO`)
    }
  }
  for (const [event, withdrawal] of ctx.model.withdrawn) {
    if ((sent.has(event) || heard.has(event)) && !kept.has(event)) kept.set(event, `it was taken back to Socket.IO: ${withdrawal.reason}`)
  }
  // An emit already rewritten moved to SSE; one still there may have no SSE equivalent.
  for (const site of ctx.model.server.emits) {
    if (isEditedNode(ctx.repo, ctx.changes, site.call)) continue
    const event = site.event ? eventName(site.event) : undefined
    if (event === undefined || !heard.has(event) || kept.has(event)) continue
    const keptBecause = ctx.model.keptEmits.get(site.call)
    if (keptBecause) kept.set(event, `an emit of it in ${site.file} stays: it ${keptBecause}`)
    else if (!planEmit(site, ctx.config.rooms).ok) kept.set(event, `an emit of it in ${site.file} has no SSE equivalent and stays on Socket.IO`)
  }
  return [...kept].map(([event, why]) => ({ event, why }))
}

/** `socket.emit('x', …)`, `socket.to(r).emit('x', …)`: the event name, when it is a literal. */
function emittedEvent(call: Node): string | undefined {
  return Node.isCallExpression(call) ? eventName(call.getArguments()[0]) : undefined
}
