import type { AnalysisContext } from './context.js'
import type { SocketModel, Withdrawal } from './model.js'
import { analyseServer } from './server/index.js'
import { analyseHandlers, buildEventRoutes } from './handlers/index.js'
import { coupleRoomsToKeptCode, unrecognisedClientUses } from './handlers/room-coupling.js'
import { withIdentityRooms } from './handlers/self-identification.js'
import { unrecognisedSocketCalls } from './client/unrecognised.js'
import { namedServerEvents, serverEmittedEvents } from './server-events.js'
import { analyseClient } from './client/index.js'
import { usesSocketIO } from './uses-socket-io.js'
import { resolveEventNamesIn } from './event-name.js'
import { keptClientFiles, multiArgumentListeners, type KeptSocketCause } from './client/socket-groups.js'

/** The one analysis pass: every transform reads the model it returns. */
/**
 * `withdrawn`: events an earlier pass took back to Socket.IO; their handlers and emits stay there.
 * `keptSockets`: browser code an earlier pass found cannot run on the SSE handle; its socket stays.
 */
export function analyse(ctx: AnalysisContext, withdrawn: ReadonlyMap<string, Withdrawal> = new Map(), keptSockets: readonly KeptSocketCause[] = []): SocketModel {
  resolveEventNamesIn(ctx.repo)
  const server = analyseServer(ctx)
  const handlers = analyseHandlers(ctx, server)
  const client = analyseClient(ctx)
  const keptClient = keptClientFiles(ctx.repo, client, [...keptSockets, ...multiArgumentListeners(ctx.repo, client.scripts)])
  // A socket that stays needs the server it connects to, whatever events it uses.
  const keptFile = keptClient.keys().next().value
  if (keptFile !== undefined) {
    for (const connection of handlers.connections) connection.setupBlockers.push({ node: connection.call, reason: `stays for the browser socket that stays on Socket.IO as it was (${keptFile}: ${keptClient.get(keptFile)})` })
  }
  for (const handler of handlers.handlers) {
    const found = withdrawn.get(handler.event)
    if (found?.defect) handler.blockers.push({ node: handler.call, reason: `the route generated for it would not run (${found.reason}), so it stays on Socket.IO; please report this to tutor-sse-migrate`, withdrawn: true })
    else if (found) handler.blockers.push({ node: handler.call, reason: `stays on Socket.IO with the browser code that sends it: ${found.reason}` })
  }
  // A self-identification that stays on Socket.IO (sent by browser code that stays) still names its socket's user there.
  if (handlers.selfIdentification && handlers.selfIdentification.handler.blockers.length > 0) delete handlers.selfIdentification
  const serverEvents = serverEmittedEvents(server, handlers)
  const unrecognised = unrecognisedSocketCalls(ctx, client, namedServerEvents(server, handlers))
  const keptEmits = coupleRoomsToKeptCode(handlers, server, withIdentityRooms(ctx.config, handlers.selfIdentification), unrecognisedClientUses(unrecognised), withdrawn)
  const eventRoutes = buildEventRoutes(ctx, handlers)
  return { server, handlers, client: { ...client, unrecognised }, eventRoutes, keptEmits, serverEvents, usesSocketIO: usesSocketIO(ctx.repo), withdrawn, keptClient }
}
