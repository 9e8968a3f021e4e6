import { getHeader, type H3Event } from 'h3'
import { setConfigOverrides, type SSEConfig } from '../sse/config'
import { closeSSERuntime, hasSSERuntime, useSSERuntime } from '../sse/runtime'
import { userChannel } from '../sse/stream'
import type { EmitOptions, UserId } from '../sse/types'
import { canSubscribe } from './sse-hooks'

export type { EmitOptions, SSEUser, UserId } from '../sse/types'
export type { SSEConfig } from '../sse/config'
export { userChannel }
export { RESERVED_EVENTS } from '../sse/frame'

export function roomChannel(id: UserId): string {
  return `room:${id}`
}

function list<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value]
}

function except(options: EmitOptions | undefined): string[] {
  return options?.except === undefined ? [] : list(options.except)
}

/** Every connection of the user(s): channel `user:<id>`. */
export function emitToUser(userId: UserId | UserId[], event: string, data?: unknown, options?: EmitOptions): Promise<void> {
  return emitToChannel(list(userId).map(userChannel), event, data, options)
}

/** Every connection that joined the room(s): channel `room:<id>`. */
export function emitToRoom(roomId: UserId | UserId[], event: string, data?: unknown, options?: EmitOptions): Promise<void> {
  return emitToChannel(list(roomId).map(roomChannel), event, data, options)
}

/** Every connection in any of the channels, each once. */
export function emitToChannel(channel: string | string[], event: string, data?: unknown, options?: EmitOptions): Promise<void> {
  return useSSERuntime().emit(event, data, { kind: 'channels', channels: [...new Set(list(channel))], except: except(options) })
}

/** Every open connection, on every instance. */
export function broadcast(event: string, data?: unknown, options?: EmitOptions): Promise<void> {
  return useSSERuntime().emit(event, data, { kind: 'broadcast', except: except(options) })
}

/** One connection (a reply to the client that made the request), wherever it is open. */
export function emitToConnection(connectionId: string, event: string, data?: unknown): Promise<void> {
  return useSSERuntime().emit(event, data, { kind: 'connection', connectionId })
}

/** Join channels; only for a connection of `owner.userId` and channels `canSubscribe` allows (else a 403 H3Error). */
export function subscribe(connectionId: string, channels: string | string[], owner: { userId: UserId }): Promise<void> {
  return useSSERuntime().changeSubscription('subscribe', connectionId, list(channels), owner, canSubscribe)
}

export function unsubscribe(connectionId: string, channels: string | string[], owner: { userId: UserId }): Promise<void> {
  return useSSERuntime().changeSubscription('unsubscribe', connectionId, list(channels), owner, canSubscribe)
}

/** The stream a request comes from, as sent by `useChatSSE().send()`. */
export function getConnectionId(event: H3Event): string | undefined {
  const id = getHeader(event, 'x-sse-connection-id')
  return id && id.length <= 128 ? id : undefined
}

/**
 * The bearer token of a request: the `Authorization` header, or `?token=` when `allowQueryToken`
 * is configured (off by default: URLs end up in access logs). For `authenticateSSE`.
 */
export function readBearerToken(event: H3Event): string | undefined {
  const header = getHeader(event, 'authorization')
  const match = header ? /^Bearer\s+(.+)$/i.exec(header) : null
  if (match) return match[1]!.trim()
  if (!useSSERuntime().config.allowQueryToken) return undefined
  const url = new URL(event.node.req.url ?? '/', 'http://localhost')
  return url.searchParams.get('token') || undefined
}

/** Set runtime options over the `NUXT_SSE_*` env vars. Call before the first stream or emit (the plugin does). */
export function configureSSE(options: Partial<SSEConfig> | undefined): void {
  if (hasSSERuntime()) console.warn('[sse] configureSSE() called after the SSE runtime started: the new options apply after closeSSE()')
  setConfigOverrides(options)
}

/** Close every open stream and the broker now (graceful shutdown: clients reconnect to another instance). */
export function closeSSE(): Promise<void> {
  return closeSSERuntime()
}
