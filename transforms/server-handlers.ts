import path from 'node:path'
import { Node, type Identifier } from 'ts-morph'
import type { AuthMiddleware, ConnectionHandler, SocketHandler } from '../src/analysis/handlers/types.js'
import { serverDirOf } from '../src/analysis/handlers/event-routes.js'
import type { ChangeMeta } from '../src/changeset/types.js'
import type { Transform, TransformContext } from '../src/transform.js'
import { authShape, type AuthShape } from './server-handlers/auth.js'
import { authenticateCode, channelsCode, joinedKinds, NO_CHANNELS } from './server-handlers/hooks.js'
import { routeCode } from './server-handlers/route.js'
import { SharedCode } from './server-handlers/shared-code.js'

const ID = 'server-handlers'
const meta = (reason: string): ChangeMeta => ({ transform: ID, reason })

/**
 * Turns every `socket.on` handler of the io connection handler into a POST route with the handler's own code,
 * the `io.use` middleware into `authenticateSSE` and the connection-time joins into `channelsForConnection`
 * (server/utils/sse-hooks.ts), then deletes the plugin when nothing in it is left unmigrated.
 */
export const serverHandlers: Transform = {
  id: ID,
  title: 'Turn socket.on handlers into POST routes; move io.use auth and connection joins into the SSE hooks',
  run(ctx) {
    const { connections, middlewares } = ctx.model.handlers
    if (connections.length === 0 && middlewares.length === 0) return
    /** Statements of a plugin that stay because part of them could not be migrated: file → count. */
    const left = new Map<string, number>()
    const keep = (file: string) => left.set(file, (left.get(file) ?? 0) + 1)
    const middleware = pickMiddleware(ctx, middlewares, keep)
    // Without a middleware the routes use the runtime's default `authenticateSSE`, whose user has an `id`.
    const shape = middleware ? authShape(middleware) : { keys: [], id: 'id' }
    reportClientSentIds(ctx, middlewares, connections)
    if (middleware && !shape) {
      ctx.report(middleware.call, {
        kind: 'auth/no-user-id',
        reason: 'the `io.use` middleware stores nothing on the socket that names the user (`userId`, `id` or `user`)',
        action: 'write `authenticateSSE` in server/utils/sse-hooks.ts by hand; it must return the user with an `id`',
        severity: 'security',
      })
      keep(middleware.file)
    }
    if (!middleware && connections.length > 0) {
      ctx.report(connections[0]!.call, {
        kind: 'auth/none',
        reason: 'the Socket.IO server has no `io.use` auth middleware, so nothing proves who a client is',
        action: 'implement `authenticateSSE` in server/utils/sse-hooks.ts with the app\'s real auth before exposing the SSE stream and the chat routes',
        severity: 'security',
      })
    }
    const utilFile = path.posix.join(serverDirOf(ctx), 'utils', `${path.posix.basename(ctx.config.routeDir)}-events.ts`)
    for (const connection of connections) {
      const shared = new SharedCode(connection.file, utilFile)
      const eventsType = clientEventsType(ctx, connection)
      for (const handler of connection.handlers) {
        if (!migrateHandler(ctx, handler, shape, shared, eventsType)) keep(connection.file)
      }
      writeShared(ctx, shared)
    }
    const hooksWritten = writeHooks(ctx, middleware, shape, connections, keep)
    if (!hooksWritten && middleware) keep(middleware.file)
    if (!hooksWritten) {
      for (const connection of connections) {
        const joins = connection.setupUses.filter((u) => u.kind === 'join')
        if (joins.length === 0) continue
        reportBlockers(ctx, 'the connection handler', joins.map((j) => ({ node: j.node, reason: 'joins a room at connection time, and there is no migrated auth to tell whose channels they are' })))
        keep(connection.file)
      }
    }
    for (const file of new Set([...connections.map((c) => c.file), ...middlewares.map((m) => m.file)])) {
      if (left.has(file)) {
        ctx.report({ file, line: 1, code: '' }, {
          kind: 'handlers/plugin-kept',
          reason: `${left.get(file)} part(s) of the Socket.IO connection code could not be migrated (see the other follow-ups for this file), so ${file} is kept`,
          action: `migrate those parts by hand, then delete ${file}`,
        })
      } else {
        deletePlugin(ctx, file)
      }
    }
  },
}

/**
 * Deletes the plugin. Earlier transforms (server-emits) rewrote emits inside its handlers so this one could
 * transplant the rewritten code; those edits were only a means to that end, so the file goes back to its
 * original text first and the engine sees a plain deletion rather than a conflict between two transforms.
 */
function deletePlugin(ctx: TransformContext, file: string): void {
  const unit = ctx.repo.units.get(file)
  const sourceFile = unit?.scripts[0]?.sourceFile
  if (unit && sourceFile && sourceFile.getFullText() !== unit.originalText) sourceFile.replaceWithText(unit.originalText)
  ctx.changes.delete(file, meta('every socket handler became a route and the auth and joins moved to the SSE hooks'))
}

/** Handshake values named like a user id (`socket.handshake.query.userId`): the client says who it is. */
function reportClientSentIds(ctx: TransformContext, middlewares: AuthMiddleware[], connections: ConnectionHandler[]): void {
  const reads = [
    ...middlewares.flatMap((m) => m.reads),
    ...connections.flatMap((c) => [...c.setupUses, ...c.handlers.flatMap((h) => h.uses)]).flatMap((u) => (u.kind === 'handshake' ? [u.read] : [])),
  ]
  for (const read of reads) {
    if (read.kind === 'header' || !/^(user[_-]?id|uid|id)$/i.test(read.name)) continue
    ctx.report(read.node, {
      kind: 'auth/client-sent-id',
      reason: `the socket code trusts \`${read.node.getText()}\`, an id the client sends, to say who it is`,
      action: 'authenticate the user in `authenticateSSE` (server/utils/sse-hooks.ts) instead; this code was not carried over',
      severity: 'security',
    })
  }
}

/** The auth middleware; several are reported, and the first one is migrated. */
function pickMiddleware(ctx: TransformContext, middlewares: AuthMiddleware[], keep: (file: string) => void): AuthMiddleware | undefined {
  for (const extra of middlewares.slice(1)) {
    ctx.report(extra.call, {
      kind: 'auth/several-middlewares',
      reason: 'a second `io.use` middleware; only the first one became `authenticateSSE`',
      action: 'merge its checks into `authenticateSSE` in server/utils/sse-hooks.ts',
      severity: 'security',
    })
    keep(extra.file)
  }
  return middlewares[0]
}

function reportBlockers(ctx: TransformContext, what: string, blockers: { node: Node; reason: string }[]): void {
  for (const blocker of blockers) {
    ctx.report(blocker.node, {
      kind: 'handlers/not-transplantable',
      reason: `${what}: ${blocker.reason}`,
      action: 'move this part by hand (a POST route for handlers, server/utils/sse-hooks.ts for auth and joins)',
    })
  }
}

/** `ClientToServerEvents` of a typed `new Server<ClientToServerEvents, ...>()` in the connection handler's file (C8). */
function clientEventsType(ctx: TransformContext, connection: ConnectionHandler): Identifier | undefined {
  const site = ctx.model.server.sites.find((s) => s.file === connection.file)
  const [first] = site?.creation.getTypeArguments() ?? []
  if (!Node.isTypeReference(first)) return undefined
  const name = first.getTypeName()
  return Node.isIdentifier(name) ? name : undefined
}

/** One handler → its route, a mapping to an existing route, or a deliberate drop. False when it stays in the plugin. */
function migrateHandler(ctx: TransformContext, handler: SocketHandler, shape: AuthShape | undefined, shared: SharedCode, eventsType?: Identifier): boolean {
  if (handler.kind === 'disconnect') {
    if (handler.onlyLogs) {
      ctx.report(handler.call, {
        kind: 'handlers/disconnect-dropped',
        reason: `the \`${handler.event}\` handler only logged; the SSE runtime cleans up closed streams itself`,
        action: 'nothing to do',
        severity: 'info',
      })
      return true
    }
    reportBlockers(ctx, `the \`${handler.event}\` handler`, [{ node: handler.call, reason: 'does more than log when a client goes away, and SSE streams have no disconnect hook the app can use' }])
    return false
  }
  const route = ctx.model.eventRoutes.get(handler.event)
  if (route?.status === 'dropped') {
    ctx.report(handler.call, {
      kind: 'handlers/dropped',
      reason: `the \`${handler.event}\` handler was dropped: ${route.dropReason}`,
      action: 'nothing to do',
      severity: 'info',
    })
    return true
  }
  if (!route || handler.blockers.length > 0) {
    reportBlockers(ctx, `the \`${handler.event}\` handler`, handler.blockers)
    return false
  }
  if (route.status === 'existing') {
    ctx.report(handler.call, {
      kind: 'handlers/mapped-to-existing',
      reason: `\`${handler.event}\` now goes to the existing route ${route.url}`,
      action: `check that ${route.file ?? route.url} does everything the handler did`,
      severity: 'info',
    })
    return true
  }
  if (!shape) {
    reportBlockers(ctx, `the \`${handler.event}\` handler`, [{ node: handler.call, reason: 'no migrated auth to take the user from' }])
    return false
  }
  const code = routeCode(handler, shape, ctx.config, eventsType)
  if (code.blockers.length > 0) {
    reportBlockers(ctx, `the \`${handler.event}\` handler`, code.blockers)
    return false
  }
  const file = route.file!
  const imports = shared.importsFor(eventsType ? [...handler.moduleRefs, eventsType] : handler.moduleRefs, code.text, file)
  const text = `${imports.length ? `${imports.join('\n')}\n\n` : ''}${code.text}`
  ctx.changes.create(file, ctx.applyStyle(text, ctx.styleOf()), meta(`the \`${handler.event}\` Socket.IO handler as a POST route`))
  return true
}

/** The plugin's own types and helpers the routes use, in one server util. */
function writeShared(ctx: TransformContext, shared: SharedCode): void {
  const text = shared.utilText()
  if (!text) return
  const styled = ctx.applyStyle(text, ctx.styleOf())
  const current = ctx.changes.currentText(shared.utilFile)
  if (current === undefined) ctx.changes.create(shared.utilFile, styled, meta('types and helpers of the Socket.IO plugin used by the chat routes'))
  else if (current !== styled) ctx.changes.write(shared.utilFile, `${current.trimEnd()}\n\n${styled}`, current, meta('more helpers of the Socket.IO plugin'))
}

/** server/utils/sse-hooks.ts from the middleware and the (first) connection handler. False when left at the runtime default. */
function writeHooks(
  ctx: TransformContext,
  middleware: AuthMiddleware | undefined,
  shape: AuthShape | undefined,
  connections: ConnectionHandler[],
  keep: (file: string) => void,
): boolean {
  if (!middleware || !shape) return false
  if (middleware.blockers.length > 0) {
    reportBlockers(ctx, 'the `io.use` auth middleware', middleware.blockers)
    return false
  }
  const httpAuth = ctx.model.handlers.httpAuth
  const auth = authenticateCode(middleware, shape, ctx.config, httpAuth)
  if (auth.reused && httpAuth) {
    ctx.report(middleware.call, {
      kind: 'auth/reused-http-auth',
      reason: `\`authenticateSSE\` calls \`${httpAuth.name}\` (${httpAuth.file}), which ${httpAuth.routes} API route(s) already use and which runs the same verification as this middleware`,
      action: `nothing to do; the token sources and messages are now those of \`${httpAuth.name}\``,
      severity: 'info',
    })
  }
  if (auth.blockers.length > 0) {
    reportBlockers(ctx, 'the `io.use` auth middleware', auth.blockers)
    return false
  }
  for (const node of auth.droppedQuery) {
    ctx.report(node, {
      kind: 'auth/query-token-dropped',
      reason: 'the middleware accepted a token in the handshake query; a token in a URL ends up in access logs, so `authenticateSSE` reads the Authorization header instead',
      action: 'clients authenticate with the Authorization header or a cookie, or a `?ticket=` from POST /api/chat/events/ticket; set `allowQueryToken` to keep `?token=`',
      severity: 'info',
    })
  }
  const [connection, ...others] = connections
  for (const other of others) {
    reportBlockers(ctx, 'a second connection handler', [{ node: other.call, reason: 'only the first connection handler\'s joins became `channelsForConnection`' }])
    keep(other.file)
  }
  let channels = NO_CHANNELS
  if (connection) {
    const part = channelsCode(connection, shape, ctx.config)
    if (connection.setupBlockers.length > 0 || part.blockers.length > 0) {
      reportBlockers(ctx, 'the connection handler', [...connection.setupBlockers, ...part.blockers])
      keep(connection.file)
    } else {
      channels = part.channels!
      for (const use of connection.setupUses) {
        if (use.kind !== 'handshake' || use.read.kind !== 'query') continue
        ctx.report(use.node, {
          kind: 'handlers/client-chosen-channels',
          reason: 'the connection handler joins what the client asks for in the query string; `channelsForConnection` keeps doing so without an access check',
          action: 'check access to every channel taken from the query in `channelsForConnection` (server/utils/sse-hooks.ts)',
          severity: 'security',
        })
      }
      for (const log of part.droppedLogs ?? []) {
        ctx.report(log, {
          kind: 'handlers/connection-log-dropped',
          reason: 'this connection log prints the Socket.IO socket id, which no longer exists; the SSE runtime logs streams itself',
          action: 'nothing to do',
          severity: 'info',
        })
      }
      const atConnection = part.ownChannelOnly ? new Set<string>() : joinedKinds(connection.setupUses, ctx.config)
      for (const handler of connection.handlers) {
        const missing = [...joinedKinds(handler.uses, ctx.config)].filter((kind) => !atConnection.has(kind))
        if (missing.length === 0 || !ctx.model.eventRoutes.has(handler.event)) continue
        ctx.report(handler.call, {
          kind: 'handlers/can-subscribe',
          reason: `the \`${handler.event}\` route subscribes to channels (${missing.join(', ')}) that \`canSubscribe\` only allows when the connection handler joined them too, so it may answer 403`,
          action: `add the access check of the \`${handler.event}\` handler to \`canSubscribe\` in server/utils/sse-hooks.ts`,
        })
      }
    }
  }
  const refs = [...middleware.moduleRefs, ...(connection?.moduleRefs ?? [])]
  const hooksFile = path.posix.join(serverDirOf(ctx), 'utils', 'sse-hooks.ts')
  const body = `${auth.authenticate}\n\n${channels}\n`
  const shared = new SharedCode(middleware.file, path.posix.join(serverDirOf(ctx), 'utils', `${path.posix.basename(ctx.config.routeDir)}-events.ts`))
  const imports = [
    `import type { H3Event } from 'h3'`,
    `import type { SSEUser } from '../sse/types'`,
    ...shared.importsFor(refs, body, hooksFile),
  ]
  writeShared(ctx, shared)
  const text = ctx.applyStyle(`${imports.join('\n')}\n\n${body}`, ctx.styleOf())
  const current = ctx.changes.currentText(hooksFile)
  const reason = 'the auth of the `io.use` middleware and the joins of the connection handler'
  if (current === undefined) ctx.changes.create(hooksFile, text, meta(reason))
  else ctx.changes.write(hooksFile, text, current, meta(reason))
  return true
}
