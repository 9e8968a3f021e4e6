import type { AnalysisContext } from './context.js'
import type { SocketModel } from './model.js'
import { analyseServer } from './server/index.js'
import { analyseHandlers, buildEventRoutes } from './handlers/index.js'
import { coupleRoomsToKeptCode } from './handlers/room-coupling.js'
import { analyseClient } from './client/index.js'
import { usesSocketIO } from './uses-socket-io.js'

/** The one analysis pass: every transform reads the model it returns. */
export function analyse(ctx: AnalysisContext): SocketModel {
  const server = analyseServer(ctx)
  const handlers = analyseHandlers(ctx, server)
  const keptEmits = coupleRoomsToKeptCode(handlers, server, ctx.config)
  const client = analyseClient(ctx)
  const eventRoutes = buildEventRoutes(ctx, handlers)
  return { server, handlers, client, eventRoutes, keptEmits, usesSocketIO: usesSocketIO(ctx.repo) }
}
