import path from 'node:path'
import { Node, type Identifier } from 'ts-morph'
import { findZodBodyValidation, type ZodBodyValidation } from '../src/analysis/handlers/body-validation.js'
import { isConsoleCall } from '../src/analysis/handlers/connection.js'
import type { AuthMiddleware, Blocker, ConnectionHandler, HttpAuthUtil, SocketHandler } from '../src/analysis/handlers/types.js'
import { serverDirOf } from '../src/analysis/handlers/event-routes.js'
import { moduleReferences } from '../src/analysis/handlers/scope.js'
import { isClientSentId } from '../src/analysis/handlers/socket-uses.js'
import type { ChangeMeta } from '../src/changeset/types.js'
import type { Transform, TransformContext } from '../src/transform.js'
import { authShape, lightHttpAuth, type AuthShape, type LightAuth } from './server-handlers/auth.js'
import { authenticateCode, channelsCode, closedCode, emittedKinds, httpAuthenticateCode, joinedKinds, NO_CHANNELS } from './server-handlers/hooks.js'
import { STREAM_ROUTE, targetPath, withConnectionClosed } from './sse-runtime.js'
import { routeCode } from './server-handlers/route.js'
import { unrewrittenUses, type AppStatuses } from './server-handlers/rewrite.js'
import { stagedCode, type StagedCode } from './server-handlers/staged-code.js'
import { statementRemoval } from './shared/statement-edits.js'
import { fileRange } from '../src/changeset/ranges.js'
import { unrelatedStatements } from './server-handlers/leftovers.js'
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
    reportClientSentIds(ctx, middlewares, connections)
    const httpAuth = middleware ? undefined : ctx.model.handlers.httpAuth
    const httpAuthenticate = httpAuth && connections.length > 0 ? httpAuthenticateCode(httpAuth, ctx.styleOf().indent) : undefined
    if (httpAuth && httpAuthenticate) {
      writeHttpAuthHooks(ctx, httpAuth, httpAuthenticate)
      ctx.report(connections[0]!.call, {
        kind: 'auth/reused-http-auth',
        reason: `the Socket.IO server has no \`io.use\` auth middleware; \`authenticateSSE\` calls \`${httpAuth.name}\` (${httpAuth.file}), which ${httpAuth.routes} API route(s) already use, so the stream and the chat routes know their user as the rest of the API does`,
        action: `nothing to do; requests without the credentials \`${httpAuth.name}\` reads are refused`,
      })
    } else if (!middleware && connections.length > 0) {
      ctx.report(connections[0]!.call, {
        kind: 'auth/none',
        reason: 'the Socket.IO server has no `io.use` auth middleware, so nothing proves who a client is',
        action: 'implement `authenticateSSE` in server/utils/sse-hooks.ts with the app\'s real auth before exposing the SSE stream and the chat routes',
      })
    }
    const auth = middleware && planAuth(ctx, middleware)
    if (middleware && !auth) keep(middleware.file)
    // Without a migrated middleware the routes use the runtime's default `authenticateSSE`, whose user has only an `id`.
    const shape = auth?.shape ?? { keys: [], id: 'id' }
    const utilFile = freeUtilPath(ctx)
    const earlier = earlierUtil(ctx)
    const statuses = appStatuses(ctx)
    const validation = connections.length > 0 ? findZodBodyValidation(ctx.repo) : undefined
    const sharedCode = new Map<string, SharedCode>()
    const sharedFor = (file: string) => sharedCode.get(file) ?? sharedCode.set(file, new SharedCode(file, utilFile, ctx.styleOf().indent, earlier)).get(file)!
    /** Handlers whose event now goes to a route, or nowhere (a keep-alive): a kept plugin must not handle them too. */
    const moved: SocketHandler[] = []
    /** `disconnect` handlers that do work, for `connectionClosed` in the hooks written below. */
    const closing: SocketHandler[] = []
    for (const connection of connections) {
      const handlerContext = { shape, shared: sharedFor(connection.file), eventsType: clientEventsType(ctx, connection), aliases: connection.dataAliases, statuses, lightAuth: auth?.lightAuth, validation, staged: stagedCode(ctx) }
      for (const handler of connection.handlers) {
        if (handler.kind === 'disconnect' && !handler.onlyLogs && middleware && auth) {
          closing.push(handler)
          continue
        }
        const outcome = migrateHandler(ctx, handler, handlerContext)
        if (outcome === 'kept') keep(connection.file)
        // A dropped event (a keep-alive) is gone from the client too; a log-only disconnect handler still runs on the kept socket.
        if (outcome === 'routed' || (outcome === 'dropped' && handler.kind !== 'disconnect')) moved.push(handler)
      }
    }
    if (middleware && auth) {
      writeHooks(ctx, middleware, auth, connections, keep, sharedFor(middleware.file), { handlers: closing, moved: (handler) => moved.push(handler) })
    } else {
      for (const connection of connections) {
        const joins = connection.setupUses.filter((u) => u.kind === 'join')
        const blockers = [
          ...connection.setupBlockers,
          ...joins.map((j) => ({ node: j.node, reason: 'joins a room at connection time, and there is no migrated auth to tell whose channels they are' })),
        ]
        // Without a migrated middleware there is no sse-hooks.ts for connection-time code to move to.
        const part = blockers.length > 0 ? undefined : channelsCode(connection, shape, ctx.config, stagedCode(ctx), ctx.styleOf().indent)
        // Connection logs alone go with the plugin: the SSE runtime logs streams itself.
        const work = connection.setup.filter((statement) => !(Node.isExpressionStatement(statement) && isConsoleCall(statement.getExpression())))
        if (part && (part.status === 'blocked' || (part.text !== NO_CHANNELS && work.length > 0))) {
          if (part.status === 'blocked') blockers.push(...part.blockers)
          if (work.length > 0) {
            blockers.push({
              node: work[0]!,
              reason: `runs code at connection time (${work.length} statement(s)), and without a migrated auth middleware there is no \`channelsForConnection\` to move it to`,
            })
          }
        }
        if (blockers.length === 0) continue
        reportBlockers(ctx, 'the connection handler', blockers, connection.call)
        keep(connection.file)
      }
    }
    for (const shared of sharedCode.values()) writeShared(ctx, shared)
    for (const file of new Set([...connections.map((c) => c.file), ...middlewares.map((m) => m.file)])) {
      const sourceFile = ctx.repo.units.get(file)?.scripts[0]?.sourceFile
      const requestKeys = middlewares.flatMap((m) => m.reads.filter((r) => r.kind === 'context').map((r) => r.name))
      for (const statement of sourceFile ? unrelatedStatements(sourceFile, ctx.model.server, requestKeys, stagedCode(ctx).isGone) : []) {
        ctx.report(statement, {
          kind: 'handlers/unrelated-code',
          reason: 'this code has nothing to do with Socket.IO and would be lost with the file',
          action: `move it to another plugin or util, then delete ${file}`,
        })
        keep(file)
      }
      if (left.has(file)) {
        const removed = removeMovedHandlers(ctx, moved.filter((handler) => handler.file === file))
        ctx.report({ file, line: 1, code: '' }, {
          kind: 'handlers/plugin-kept',
          reason: `${left.get(file)} part(s) of the Socket.IO connection code could not be migrated (see the other follow-ups for this file), so ${file} is kept${removed.length > 0 ? `; the handlers that moved (${removed.map((event) => `\`${event}\``).join(', ')}) were removed from it` : ''}`,
          action: `migrate those parts by hand, then delete ${file}`,
        })
      } else {
        deletePlugin(ctx, file)
      }
    }
  },
}

/**
 * An event moves completely or not at all: in a plugin that stays for other handlers, the handler of
 * an event that now has a route (or was dropped) is removed, so the event is not handled twice (over
 * Socket.IO and over HTTP) and a second run does not find it again. Returns the events removed.
 */
function removeMovedHandlers(ctx: TransformContext, handlers: SocketHandler[]): string[] {
  const removed: string[] = []
  const statements = new Set<Node>()
  for (const handler of [...handlers].sort((a, b) => a.call.getStart() - b.call.getStart())) {
    const statement = handler.call.getParent()
    if (!Node.isExpressionStatement(statement)) continue
    statements.add(statement)
    removed.push(handler.event)
  }
  for (const edit of removalsOf([...statements])) {
    const range = fileRange(ctx.repo, edit.node, edit.start, edit.end)
    // The emits rewritten inside a removed handler go with it.
    ctx.changes.edit(range.path, { start: range.start, end: range.end, text: edit.text }, meta('the handlers that moved to routes'), { supersedes: true })
  }
  return removed
}

/** The removals of statements in source order, adjacent ones as one run. */
function removalsOf(statements: Node[]): { node: Node; start: number; end: number; text: string }[] {
  const runs: Node[][] = []
  for (const statement of statements) {
    const run = runs.at(-1)
    if (run && run.at(-1)!.getNextSibling() === statement) run.push(statement)
    else runs.push([statement])
  }
  return runs.map((run) => ({ node: run[0]!, ...statementRemoval(run[0]!, run.at(-1)) }))
}

/**
 * Deletes the plugin. Earlier transforms (server-emits) rewrote emits inside its handlers so this one could
 * transplant the rewritten code; those edits only served the transplant, so the deletion supersedes them.
 */
function deletePlugin(ctx: TransformContext, file: string): void {
  ctx.changes.delete(file, meta('every socket handler became a route and the auth and joins moved to the SSE hooks'), { supersedeEdits: true })
}

/** Handshake values named like a user id (`socket.handshake.query.userId`): the client says who it is. */
function reportClientSentIds(ctx: TransformContext, middlewares: AuthMiddleware[], connections: ConnectionHandler[]): void {
  const staged = stagedCode(ctx)
  const reads = [
    ...middlewares.flatMap((m) => m.reads),
    ...unrewrittenUses(connections.flatMap((c) => [...c.setupUses, ...c.handlers.flatMap((h) => h.uses)]), staged).flatMap((u) => (u.kind === 'handshake' ? [u.read] : [])),
  ].filter((read) => !staged.isGone(read.node))
  for (const read of reads) {
    if (read.kind === 'header' || !isClientSentId(read.name)) continue
    ctx.report(read.node, {
      kind: 'auth/client-sent-id',
      reason: `the socket code trusts \`${read.node.getText()}\`, an id the client sends, to say who it is`,
      action: 'authenticate the user in `authenticateSSE` (server/utils/sse-hooks.ts) instead; this code was not carried over',
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
    })
    keep(extra.file)
  }
  return middlewares[0]
}

/** Reports what could not be moved. A node an earlier transform rewrote is reported at `fallback`. */
function reportBlockers(ctx: TransformContext, what: string, blockers: Blocker[], fallback?: Node): void {
  for (const blocker of blockers) {
    ctx.report(stagedCode(ctx).isGone(blocker.node) && fallback ? fallback : blocker.node, blocker.withdrawn
      ? {
        kind: 'handlers/withdrawn',
        reason: `${what}: ${blocker.reason}`,
        action: 'the event works on Socket.IO as before; move it by hand, or report the finding so the tool can move it',
      }
      : {
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

interface HandlerContext {
  shape: AuthShape
  shared: SharedCode
  /** The typed server's client→server event map. */
  eventsType?: Identifier
  /** Connection-scope copies of socket data: name → key. */
  aliases: ReadonlyMap<string, string>
  statuses: AppStatuses
  /** The app's own HTTP auth, for routes that need only the user's id. */
  lightAuth?: LightAuth
  /** The app's zod validation of request bodies, for the routes' bodies. */
  validation?: ZodBodyValidation
  staged: StagedCode
}

/**
 * One handler → its route or a mapping to an existing route (`routed`), a deliberate drop
 * (`dropped`), or `kept` in the plugin when it cannot be moved.
 */
function migrateHandler(ctx: TransformContext, handler: SocketHandler, { shape, shared, eventsType, aliases, statuses, lightAuth, validation, staged }: HandlerContext): 'routed' | 'dropped' | 'kept' {
  if (handler.kind === 'disconnect') {
    if (handler.onlyLogs) {
      ctx.report(handler.call, {
        kind: 'handlers/disconnect-dropped',
        reason: `the \`${handler.event}\` handler only logged; the SSE runtime cleans up closed streams itself`,
        action: 'nothing to do',
      })
      return 'dropped'
    }
    reportBlockers(ctx, `the \`${handler.event}\` handler`, [{ node: handler.call, reason: 'does more than log when a client goes away, and SSE streams have no disconnect hook the app can use' }])
    return 'kept'
  }
  const route = ctx.model.eventRoutes.get(handler.event)
  if (route?.status === 'dropped') {
    ctx.report(handler.call, {
      kind: 'handlers/dropped',
      reason: `the \`${handler.event}\` handler was dropped: ${route.reason}`,
      action: 'nothing to do',
    })
    return 'dropped'
  }
  if (!route || handler.blockers.length > 0) {
    reportBlockers(ctx, `the \`${handler.event}\` handler`, handler.blockers, handler.call)
    return 'kept'
  }
  if (route.status === 'existing') {
    ctx.report(handler.call, {
      kind: 'handlers/mapped-to-existing',
      reason: `\`${handler.event}\` now goes to the existing route ${route.url}`,
      action: `check that ${route.file ?? route.url} does everything the handler did`,
    })
    return 'routed'
  }
  const code = routeCode(handler, shape, ctx.config, { eventsType, aliases, statuses, lightAuth, validation, staged, unit: ctx.styleOf().indent })
  if (code.blockers.length > 0) {
    reportBlockers(ctx, `the \`${handler.event}\` handler`, code.blockers, handler.call)
    return 'kept'
  }
  const file = route.file
  const refs = moduleReferences(handler.fn)
  const imports = [...code.imports, ...shared.importsFor(eventsType ? [...refs, eventsType] : refs, code.text, file, staged.helperImports(handler.fn))]
  const text = `${imports.length ? `${imports.join('\n')}\n\n` : ''}${code.text}`
  ctx.changes.create(file, ctx.applyStyle(text, ctx.styleOf()), meta(`the \`${handler.event}\` Socket.IO handler as a POST route`))
  if (code.looseFields.length > 0) {
    ctx.report(handler.call, {
      kind: 'handlers/schema-any',
      reason: `the zod schema of the \`${handler.event}\` route accepts ${code.looseFields.map((field) => `\`${field}\``).join(', ')} as anything (\`z.any()\`): the payload type says more than the generated schema can`,
      action: `tighten those fields in the schema at the top of ${file}`,
    })
  }
  if (code.lightAuth && lightAuth) {
    ctx.report(handler.call, {
      kind: 'auth/route-uses-http-auth',
      reason: `the \`${handler.event}\` route needs only the user's id, so it authenticates with \`${lightAuth.call}\`, as the app's other API routes do, instead of the middleware's full check (\`${lightAuth.idField}\` of the verified token stands for the looked-up user's \`${lightAuth.idProperty}\`)`,
      action: `nothing to do, unless the lookup also refused users the token alone does not (deleted or blocked accounts): then call it in ${file}`,
    })
  }
  return 'routed'
}

/** `server/utils/chat-events.ts` (after the route dir), or `chat-events-2.ts` ... when the repo has that file already. */
function freeUtilPath(ctx: TransformContext): string {
  const base = utilBase(ctx)
  for (let i = 1; i < 100; i++) {
    const file = i === 1 ? `${base}.ts` : `${base}-${i}.ts`
    if (!ctx.repo.exists(file)) return file
  }
  return `${base}-migrated.ts`
}

/** `server/utils/chat-events`, after the route dir. */
function utilBase(ctx: TransformContext): string {
  return path.posix.join(serverDirOf(ctx), 'utils', `${path.posix.basename(ctx.config.routeDir)}-events`)
}

/** The util an earlier run wrote at the first util path, by exported declaration name → its text. */
function earlierUtil(ctx: TransformContext): { file: string; exports: Map<string, string> } | undefined {
  const file = `${utilBase(ctx)}.ts`
  const sourceFile = ctx.repo.getUnit(file)?.scripts[0]?.sourceFile
  if (!sourceFile) return undefined
  const exports = new Map<string, string>()
  for (const statement of sourceFile.getStatements()) {
    const names = Node.isVariableStatement(statement) ? statement.getDeclarations().map((d) => d.getName()) : Node.hasName(statement) ? [statement.getName()] : []
    if (!/^export\s/.test(statement.getText())) continue
    for (const name of names) exports.set(name, statement.getText())
  }
  return { file, exports }
}

/** The plugin's own types and helpers the routes use, in one server util (shared by several plugin files). */
function writeShared(ctx: TransformContext, shared: SharedCode): void {
  const text = shared.utilText()
  if (!text) return
  const styled = ctx.applyStyle(text, ctx.styleOf())
  const current = ctx.changes.currentText(shared.utilFile)
  if (current === undefined) ctx.changes.create(shared.utilFile, styled, meta('types and helpers of the Socket.IO plugin used by the chat routes'))
  else if (current !== styled) ctx.changes.write(shared.utilFile, `${current.trimEnd()}\n\n${styled}`, current, meta('more helpers of the Socket.IO plugin'))
}

/** `authenticateSSE` from the middleware, or undefined (reported) when it cannot be carried over. */
function planAuth(ctx: TransformContext, middleware: AuthMiddleware): { shape: AuthShape; authenticate: string; lightAuth?: LightAuth } | undefined {
  const shape = authShape(middleware)
  if (!shape) {
    ctx.report(middleware.call, {
      kind: 'auth/no-user-id',
      reason: 'the `io.use` middleware stores nothing on the socket that names the user (`userId`, `id` or `user`)',
      action: 'write `authenticateSSE` in server/utils/sse-hooks.ts by hand; it must return the user with an `id`',
    })
    return undefined
  }
  if (middleware.blockers.length > 0) {
    reportBlockers(ctx, 'the `io.use` auth middleware', middleware.blockers, middleware.call)
    return undefined
  }
  const httpAuth = ctx.model.handlers.httpAuth
  const auth = authenticateCode(middleware, shape, ctx.config, ctx.styleOf().indent, httpAuth)
  if (auth.status === 'blocked') {
    reportBlockers(ctx, 'the `io.use` auth middleware', auth.blockers, middleware.call)
    return undefined
  }
  if (auth.reused && httpAuth) {
    ctx.report(middleware.call, {
      kind: 'auth/reused-http-auth',
      reason: `\`authenticateSSE\` calls \`${httpAuth.name}\` (${httpAuth.file}), which ${httpAuth.routes} API route(s) already use and which runs the same verification as this middleware`,
      action: `nothing to do; the token sources and messages are now those of \`${httpAuth.name}\``,
    })
  }
  for (const node of auth.droppedQuery) {
    ctx.report(node, {
      kind: 'auth/query-token-dropped',
      reason: 'the middleware accepted a token in the handshake query; a token in a URL ends up in access logs, so `authenticateSSE` reads the Authorization header instead',
      action: 'clients authenticate with the Authorization header or a cookie, or a `?ticket=` from POST /api/chat/events/ticket; set `allowQueryToken` to keep `?token=`',
    })
  }
  const lightAuth = httpAuth && !auth.reused ? lightHttpAuth(middleware, shape, httpAuth) : undefined
  return { shape, authenticate: auth.text, lightAuth }
}

/**
 * A migrated handler emitting to a kind of channel that nothing joins, neither the connection nor
 * any handler: no stream can be subscribed to it (`canSubscribe` allows what was joined), so the
 * event reaches nobody, as it reached no socket before.
 */
function reportUnjoinableChannels(ctx: TransformContext, connection: ConnectionHandler): void {
  const staged = stagedCode(ctx)
  const joined = new Set(['user:<id>', ...joinedKinds(connection.setupUses, ctx.config, staged)])
  for (const handler of connection.handlers) for (const kind of joinedKinds(handler.uses, ctx.config, staged)) joined.add(kind)
  const reported = new Set<string>()
  for (const handler of connection.handlers) {
    if (!ctx.model.eventRoutes.has(handler.event)) continue
    for (const emit of emittedKinds(handler.uses, ctx.config, staged)) {
      for (const kind of emit.kinds.filter((k) => !joined.has(k))) {
        const key = `${emit.event ?? ''}\0${kind}`
        if (reported.has(key)) continue
        reported.add(key)
        const channels = kind.endsWith('>') ? kind : `${kind}…`
        ctx.report(emit.node, {
          kind: 'handlers/channel-never-joined',
          reason: `the \`${handler.event}\` route emits ${emit.event ? `\`${emit.event}\`` : 'an event'} to \`${channels}\` channels, which nothing in the Socket.IO code joins and \`canSubscribe\` does not allow, so it reaches nobody`,
          action: `subscribe the streams that show it (a join route calling \`subscribe()\`) and allow \`${channels}\` in \`canSubscribe\` in server/utils/sse-hooks.ts after the app's access check, or remove the emit`,
        })
      }
    }
  }
}

/** server/utils/sse-hooks.ts: the migrated `authenticateSSE` and the (first) connection handler's joins. */
function writeHooks(
  ctx: TransformContext,
  middleware: AuthMiddleware,
  auth: { shape: AuthShape; authenticate: string },
  connections: ConnectionHandler[],
  keep: (file: string) => void,
  shared: SharedCode,
  closing: { handlers: SocketHandler[]; moved(handler: SocketHandler): void },
): void {
  const { shape } = auth
  const [connection, ...others] = connections
  for (const other of others) {
    reportBlockers(ctx, 'a second connection handler', [{ node: other.call, reason: 'only the first connection handler\'s joins became `channelsForConnection`' }])
    keep(other.file)
  }
  let channels = NO_CHANNELS
  if (connection) {
    const part = channelsCode(connection, shape, ctx.config, stagedCode(ctx), ctx.styleOf().indent)
    if (connection.setupBlockers.length > 0 || part.status === 'blocked') {
      reportBlockers(ctx, 'the connection handler', [...connection.setupBlockers, ...(part.status === 'blocked' ? part.blockers : [])], connection.call)
      keep(connection.file)
    } else {
      channels = part.text
      for (const use of unrewrittenUses(connection.setupUses, stagedCode(ctx))) {
        if (use.kind !== 'handshake' || use.read.kind !== 'query') continue
        ctx.report(use.node, {
          kind: 'handlers/client-chosen-channels',
          reason: 'the connection handler joins what the client asks for in the query string; `channelsForConnection` keeps doing so without an access check',
          action: 'check access to every channel taken from the query in `channelsForConnection` (server/utils/sse-hooks.ts)',
        })
      }
      for (const log of part.droppedLogs) {
        ctx.report(log, {
          kind: 'handlers/connection-log-dropped',
          reason: 'this connection log prints the Socket.IO socket id, which no longer exists; the SSE runtime logs streams itself',
          action: 'nothing to do',
        })
      }
      const atConnection = part.ownChannelOnly ? new Set<string>() : joinedKinds(connection.setupUses, ctx.config, stagedCode(ctx))
      for (const handler of connection.handlers) {
        const missing = [...joinedKinds(handler.uses, ctx.config, stagedCode(ctx))].filter((kind) => !atConnection.has(kind))
        if (missing.length === 0 || !ctx.model.eventRoutes.has(handler.event)) continue
        ctx.report(handler.call, {
          kind: 'handlers/can-subscribe',
          reason: `the \`${handler.event}\` route subscribes to channels (${missing.join(', ')}) that \`canSubscribe\` only allows when the connection handler joined them too, so it may answer 403`,
          action: `add the access check of the \`${handler.event}\` handler to \`canSubscribe\` in server/utils/sse-hooks.ts`,
        })
      }
      reportUnjoinableChannels(ctx, connection)
    }
  }
  const closed = closedHook(ctx, closing, channels, keep)
  const roots = [middleware.fn, ...(connection?.setup ?? []), ...(closed ? [closed.handler.fn] : [])]
  const refs = roots.flatMap(moduleReferences)
  const hooksFile = path.posix.join(serverDirOf(ctx), 'utils', 'sse-hooks.ts')
  const body = `${auth.authenticate}\n\n${channels}\n${closed ? `\n${closed.text}\n` : ''}`
  const imports = [
    `import type { H3Event } from 'h3'`,
    `import type { SSEUser } from '../sse/types'`,
    ...shared.importsFor(refs, body, hooksFile, roots.flatMap((root) => stagedCode(ctx).helperImports(root))),
  ]
  const text = ctx.applyStyle(`${imports.join('\n')}\n\n${body}`, ctx.styleOf())
  const current = ctx.changes.currentText(hooksFile)
  const reason = 'the auth of the `io.use` middleware and the joins of the connection handler'
  if (current === undefined) ctx.changes.create(hooksFile, text, meta(reason))
  else ctx.changes.write(hooksFile, text, current, meta(reason))
}

/**
 * `connectionClosed` from the (first) `disconnect` handler that does work, with the stream route
 * passing it to the runtime; undefined (reported, the handler kept) when it cannot move.
 */
function closedHook(
  ctx: TransformContext,
  closing: { handlers: SocketHandler[]; moved(handler: SocketHandler): void },
  channels: string,
  keep: (file: string) => void,
): { handler: SocketHandler; text: string } | undefined {
  const [handler, ...others] = closing.handlers
  for (const other of others) {
    reportBlockers(ctx, `the \`${other.event}\` handler`, [{ node: other.call, reason: 'a second `disconnect` handler; only the first became `connectionClosed`' }])
    keep(other.file)
  }
  if (!handler) return undefined
  const part = closedCode(handler, ctx.config, stagedCode(ctx), channels.includes('type ChatUser ='), ctx.styleOf().indent)
  const route = targetPath(ctx, STREAM_ROUTE)
  const current = ctx.changes.currentText(route)
  const wired = current === undefined ? undefined : withConnectionClosed(current)
  if (part.status === 'blocked' || !wired) {
    const blockers = part.status === 'blocked' ? part.blockers : [{ node: handler.call, reason: `${route} is not the SSE runtime's stream route, so nothing would call \`connectionClosed\`` }]
    reportBlockers(ctx, `the \`${handler.event}\` handler`, blockers, handler.call)
    keep(handler.file)
    return undefined
  }
  ctx.changes.write(route, wired, current, meta('the stream route passes `connectionClosed` to the runtime'))
  for (const log of part.droppedLogs) {
    ctx.report(log, {
      kind: 'handlers/connection-log-dropped',
      reason: `this log of the \`${handler.event}\` handler prints the Socket.IO socket id, which no longer exists; the SSE runtime logs streams itself`,
      action: 'nothing to do',
    })
  }
  ctx.report(handler.call, {
    kind: 'handlers/disconnect-moved',
    reason: `the \`${handler.event}\` handler's code now runs in \`connectionClosed\` (server/utils/sse-hooks.ts), once for each stream that ends; a user with two tabs open has two streams, as they had two sockets`,
    action: 'nothing to do, unless it should run only when the user\'s last stream ends',
  })
  closing.moved(handler)
  return { handler, text: part.text }
}

/** server/utils/sse-hooks.ts with no middleware to migrate: `authenticateSSE` calls the app's HTTP auth util. */
function writeHttpAuthHooks(ctx: TransformContext, httpAuth: HttpAuthUtil, authenticate: string): void {
  const hooksFile = path.posix.join(serverDirOf(ctx), 'utils', 'sse-hooks.ts')
  const imports = [
    `import type { H3Event } from 'h3'`,
    `import type { SSEUser } from '../sse/types'`,
    ...(httpAuth.importSpecifier ? [`import { ${httpAuth.name} } from '${httpAuth.importSpecifier}'`] : []),
  ]
  const text = ctx.applyStyle(`${imports.join('\n')}\n\n${authenticate}\n\n${NO_CHANNELS}\n`, ctx.styleOf())
  const current = ctx.changes.currentText(hooksFile)
  const reason = `\`authenticateSSE\` through the app's own HTTP auth (\`${httpAuth.name}\`)`
  if (current === undefined) ctx.changes.create(hooksFile, text, meta(reason))
  else ctx.changes.write(hooksFile, text, current, meta(reason))
}

/** 403 for refused access when the app's own server code already answers 403 somewhere. */
function appStatuses(ctx: TransformContext): AppStatuses {
  const serverDir = ctx.repo.relative(ctx.repo.layout.serverDir)
  const answers403 = ctx.repo.glob([`${serverDir}/**/*.{ts,js,mjs}`]).some((file) => {
    const text = ctx.repo.readText(file) ?? ''
    return text.includes('403') && /statusCode:\s*403\b|setResponseStatus\([^,]+,\s*403\b|status:\s*403\b/.test(text)
  })
  return { accessDenied: answers403 ? 403 : 400 }
}
