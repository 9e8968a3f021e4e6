import type { TransformContext } from '../../src/transform.js'

/** Where a client→server event goes now. */
export type ClientRoute = { status: 'send'; url: string; args?: number } | { status: 'dropped'; reason: string } | { status: 'missing' }

/**
 * The route the server side made for an event: the shared event→route table first (the server
 * transforms generate exactly these routes), then a route the config maps the event to.
 */
export function routeFor(ctx: TransformContext, event: string): ClientRoute {
  const route = ctx.model.eventRoutes.get(event)
  if (route) {
    if (route.status === 'dropped') return { status: 'dropped', reason: route.reason }
    return { status: 'send', url: route.url, ...(route.status === 'generated' && route.args ? { args: route.args } : {}) }
  }
  const configured = ctx.config.events[event]
  if (configured?.drop) return { status: 'dropped', reason: 'dropped by the migration config' }
  if (configured?.existing) return { status: 'send', url: configured.existing }
  return { status: 'missing' }
}

/** Path parameters of a route URL: `/api/chat/rooms/:roomId/messages` and `/api/chat/rooms/[roomId]/messages`. */
export function urlParams(url: string): string[] {
  return [...url.matchAll(/:(\w+)|\[(\w+)\]/g)].map((m) => (m[1] ?? m[2])!)
}

/** The URL as a template literal with each parameter taken from an expression. */
export function fillUrl(url: string, values: ReadonlyMap<string, string>): string {
  return '`' + url.replace(/:(\w+)|\[(\w+)\]/g, (_, a: string | undefined, b: string | undefined) => '${' + values.get((a ?? b)!) + '}') + '`'
}
