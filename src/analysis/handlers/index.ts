import { Node } from 'ts-morph'
import type { AnalysisContext } from '../context.js'
import type { ServerModel } from '../server/types.js'
import type { AuthMiddleware, ConnectionHandler, HandlerModel, SelfIdentification } from './types.js'
import { analyseMiddleware } from './middleware.js'
import { analyseConnection } from './connection.js'
import { findHttpAuth } from './http-auth.js'
import { findSelfIdentification } from './self-identification.js'

export { buildEventRoutes } from './event-routes.js'

/** Property names of `declare module 'socket.io' { interface Socket { user?: User } }` augmentations. */
function augmentedSocketKeys(server: ServerModel): string[] {
  return server.augmentations
    .filter((a) => a.module === 'socket.io')
    .flatMap((a) => a.members)
    .filter((m) => Node.isPropertySignature(m))
    .map((m) => m.getName())
}

/** The io.use middlewares, then the connection handlers with their `socket.on` handlers (the server analysis found the calls). */
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
  const httpAuth = middlewares.length > 0 || connections.length > 0 ? findHttpAuth(ctx) : undefined
  const model: HandlerModel = { connections, middlewares, handlers: connections.flatMap((c) => c.handlers), ...(httpAuth ? { httpAuth } : {}) }
  // Without an auth middleware, only the app's own HTTP auth can say who a stream belongs to; a client
  // that names itself is then replaced by it, and never trusted without it.
  const identification = middlewares.length === 0 && httpAuth?.yields && httpAuth.refuses ? findSelfIdentification(model, ctx.config) : undefined
  if (identification) {
    model.selfIdentification = identification
    useAuthenticatedId(model, identification)
  }
  // Socket data only the auth middleware (or the self-identification) can provide: without one storing the key, a route has no value for it.
  const stored = new Set([...(middlewares[0]?.dataKeys ?? []), ...(identification ? ['id'] : [])])
  for (const handler of model.handlers) {
    if (handler === identification?.handler) continue
    for (const use of handler.uses) {
      if (use.kind !== 'data' || stored.has(use.key.split('.')[0]!)) continue
      handler.blockers.push({ node: use.node, reason: `reads \`${use.key}\` from the socket, which no auth middleware stores` })
    }
  }
  return model
}

/** The socket data the self-identification stored is the authenticated user's `id` now, in every other handler. */
function useAuthenticatedId(model: HandlerModel, identification: SelfIdentification): void {
  const stored = new Set(identification.storedKeys)
  for (const handler of model.handlers) {
    if (handler === identification.handler) continue
    for (const use of handler.uses) if (use.kind === 'data' && stored.has(use.key)) use.key = 'id'
  }
  for (const connection of model.connections) {
    for (const [name, key] of connection.dataAliases) if (stored.has(key)) connection.dataAliases.set(name, 'id')
  }
}
