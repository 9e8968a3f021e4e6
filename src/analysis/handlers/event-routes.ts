import path from 'node:path'
import type { AnalysisContext } from '../context.js'
import type { EventRoute } from '../model.js'
import type { HandlerModel } from './types.js'

/** `send_message`, `message.sent`, `joinRoom`, `join-user` → `send-message`, `message-sent`, `join-room`, `join-user`. */
export function eventSlug(event: string): string {
  return event
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase()
}

/** The repo-relative server dir (`server`, or nuxt.config's `serverDir`). */
export function serverDirOf(ctx: Pick<AnalysisContext, 'repo'>): string {
  return ctx.repo.relative(ctx.repo.layout.serverDir)
}

/**
 * The URL Nitro serves a route file at: `server/api/chat/rooms/[roomId]/messages.post.ts` →
 * `/api/chat/rooms/:roomId/messages`; `server/routes/x.ts` → `/x`. Undefined outside api/ and routes/.
 */
export function routeUrlOf(file: string, serverDir: string): string | undefined {
  const rel = path.posix.relative(serverDir, file)
  const match = /^(api|routes)\/(.*?)(?:\.(?:get|post|put|patch|delete|head|options))?\.(?:ts|js|mjs|mts)$/.exec(rel)
  if (!match) return undefined
  const [, base, rest] = match
  const route = rest!.replace(/(^|\/)index$/, '').replace(/\[\.\.\.([^\]]*)\]/g, '**:$1').replace(/\[([^\]]+)\]/g, ':$1')
  const prefix = base === 'api' ? '/api' : ''
  return `${prefix}/${route}`.replace(/\/+$/, '') || '/'
}

/** The HTTP method a route file answers (undefined: every method). */
function routeMethod(file: string): string | undefined {
  return /\.(get|post|put|patch|delete|head|options)\.[cm]?[jt]s$/.exec(file)?.[1]
}

/** `/api/chat/rooms/[roomId]/messages` and `/api/chat/rooms/:id/messages` name the same route. */
function sameRoute(a: string, b: string): boolean {
  const shape = (url: string) => url.replace(/\[[^\]]+\]|:[^/]+/g, ':').replace(/\/+$/, '')
  return shape(a) === shape(b)
}

/** The route file serving POST at `url`, among the repo's server route files. */
export function findRouteFile(ctx: Pick<AnalysisContext, 'repo'>, url: string): string | undefined {
  const serverDir = serverDirOf(ctx)
  const candidates = ctx.repo.glob([`${serverDir}/api/**/*.{ts,js,mjs,mts}`, `${serverDir}/routes/**/*.{ts,js,mjs,mts}`])
  const matching = candidates.filter((file) => {
    const fileUrl = routeUrlOf(file, serverDir)
    const method = routeMethod(file)
    return fileUrl !== undefined && sameRoute(fileUrl, url) && (method === undefined || method === 'post')
  })
  return matching.find((file) => routeMethod(file) === 'post') ?? matching[0]
}

/**
 * The ONE event → route table: every client→server event handled by a connection handler, mapped to the POST
 * route that replaces it (generated, or an existing one per config) or dropped. Handlers whose code cannot be
 * transplanted are left out, so the client migration reports their emits instead of calling a route that
 * does not exist.
 */
export function buildEventRoutes(ctx: AnalysisContext, model: HandlerModel): Map<string, EventRoute> {
  const routes = new Map<string, EventRoute>()
  const serverDir = serverDirOf(ctx)
  for (const handler of model.handlers) {
    if (handler.kind === 'disconnect' || routes.has(handler.event)) continue
    const override = ctx.config.events[handler.event] ?? {}
    const event = handler.event
    if (override.drop) {
      routes.set(event, { event, status: 'dropped', reason: 'dropped by the `events` config' })
      continue
    }
    if (handler === model.selfIdentification?.handler) {
      const reason = 'the client no longer says which user it is: the SSE stream belongs to the user the app\'s own auth signed in and always joins that user\'s channel (before, any client could join any user\'s room)'
      routes.set(event, { event, status: 'dropped', reason })
      continue
    }
    if (handler.kind === 'ping') {
      routes.set(event, { event, status: 'dropped', reason: 'a keep-alive; the SSE stream has its own heartbeat and EventSource reconnects by itself' })
      continue
    }
    if (override.existing) {
      const file = findRouteFile(ctx, override.existing)
      if (!file) {
        ctx.report(handler.call, {
          kind: 'handlers/existing-route-missing',
          reason: `the config maps \`${event}\` to ${override.existing}, but no POST route file serves that URL`,
          action: `fix \`events["${event}"].existing\` in tutor-sse-migrate.config.json or create the route`,
        })
      }
      routes.set(event, { event, url: override.existing, file, status: 'existing' })
      continue
    }
    if (handler.blockers.length > 0) continue
    const file = override.file ?? path.posix.join(ctx.config.routeDir, `${eventSlug(event)}.post.ts`)
    const url = routeUrlOf(file, serverDir)
    if (!url) {
      ctx.report(handler.call, {
        kind: 'handlers/route-outside-server',
        reason: `the route file for \`${event}\` (${file}) is not under ${serverDir}/api or ${serverDir}/routes, so Nitro would not serve it`,
        action: `set \`routeDir\` or \`events["${event}"].file\` in tutor-sse-migrate.config.json to a path under ${serverDir}/api`,
      })
      continue
    }
    if (ctx.repo.exists(file)) {
      ctx.report(handler.call, {
        kind: 'handlers/route-exists',
        reason: `${file} already exists, so the \`${event}\` handler was not turned into a new route there`,
        action: `check that ${file} does what the handler did, or set \`events["${event}"].file\` to another path`,
      })
      routes.set(event, { event, url, file, status: 'existing' })
      continue
    }
    routes.set(event, { event, url, file, status: 'generated', ...(handler.positional ? { args: handler.positional.length } : {}) })
  }
  return routes
}
