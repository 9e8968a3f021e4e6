import { Node } from 'ts-morph'
import type { AnalysisContext } from '../context.js'
import type { ServerModel } from '../server/types.js'
import type { AuthMiddleware, ConnectionHandler, HandlerModel } from './types.js'
import { analyseMiddleware } from './middleware.js'
import { analyseConnection } from './connection.js'
import { findHttpAuth } from './http-auth.js'

export { buildEventRoutes } from './event-routes.js'

/** Property names of `declare module 'socket.io' { interface Socket { user?: User } }` augmentations. */
function augmentedSocketKeys(server: ServerModel): string[] {
  return server.augmentations
    .filter((a) => a.module === 'socket.io')
    .flatMap((a) => a.members)
    .filter((m) => Node.isPropertySignature(m))
    .map((m) => m.getName())
}

/** The io.use middlewares, then the connection handlers with their `socket.on` handlers (issue 3 found the calls). */
export function analyseHandlers(ctx: AnalysisContext, server: ServerModel): HandlerModel {
  const middlewares: AuthMiddleware[] = []
  for (const call of server.middlewares) {
    const middleware = analyseMiddleware(ctx, server, call)
    if (middleware) middlewares.push(middleware)
  }
  const augmentedKeys = new Set([...augmentedSocketKeys(server), ...middlewares.flatMap((m) => m.augmentedKeys)])
  const connections: ConnectionHandler[] = []
  for (const call of server.connectionHandlers) {
    const connection = analyseConnection(ctx, server, call, augmentedKeys)
    if (connection) connections.push(connection)
  }
  // Socket data only the auth middleware can provide: without one storing the key, a route has no value for it.
  const stored = new Set(middlewares[0]?.dataKeys ?? [])
  for (const handler of connections.flatMap((c) => c.handlers)) {
    for (const use of handler.uses) {
      if (use.kind !== 'data' || stored.has(use.key.split('.')[0]!)) continue
      handler.blockers.push({ node: use.node, reason: `reads \`${use.key}\` from the socket, which no auth middleware stores` })
    }
  }
  const httpAuth = middlewares.length > 0 ? findHttpAuth(ctx) : undefined
  return { connections, middlewares, handlers: connections.flatMap((c) => c.handlers), ...(httpAuth ? { httpAuth } : {}) }
}
