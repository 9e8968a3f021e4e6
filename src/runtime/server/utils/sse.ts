import { createError, getHeader, readBody, type H3Event } from 'h3'
import { assertUsableConfig, resolveConfig, setConfigOverrides, type SSEConfig } from '../sse/config'
import { closeSSERuntime, hasSSERuntime, userKey, usesRedis, useSSERuntime } from '../sse/runtime'
import { connectionIdBelongsTo, ticketSecret } from '../sse/ticket'
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

/**
 * Join channels; only for a connection of `owner.userId` and channels `canSubscribe` allows (else a 403 H3Error).
 * `accessChecked`: the caller has just run the app's own access check for these channels, so
 * `canSubscribe` is not asked again (a route migrated from a handler that checked before joining).
 */
export function subscribe(connectionId: string, channels: string | string[], owner: { userId: UserId }, options: { accessChecked?: boolean } = {}): Promise<void> {
  const check = options.accessChecked ? allowChecked : canSubscribe
  return useSSERuntime().changeSubscription('subscribe', connectionId, list(channels), owner, check)
}

const allowChecked = async (): Promise<boolean> => true

export function unsubscribe(connectionId: string, channels: string | string[], owner: { userId: UserId }): Promise<void> {
  return useSSERuntime().changeSubscription('unsubscribe', connectionId, list(channels), owner, canSubscribe)
}

/**
 * The stream a request comes from, as sent by `useChatSSE().send()`, when it is a stream of
 * `owner.userId` (the authenticated caller): an id another user's client sends is ignored, so it can
 * neither exclude someone else's stream from an event (`except`) nor get replies sent to it.
 */
export function getConnectionId(event: H3Event, owner: { userId: UserId }): string | undefined {
  const id = getHeader(event, 'x-sse-connection-id')
  if (!id) return undefined
  return connectionIdBelongsTo(id, userKey(owner.userId), ticketSecret(useSSERuntime().config.ticketSecret)) ? id : undefined
}

/**
 * End every stream of the user on every instance, keep none of their sessions for a resume and refuse
 * the stream tickets issued to them so far. Call it where the app logs a user out.
 */
export function closeUserStreams(userId: UserId): Promise<void> {
  return useSSERuntime().closeUserStreams(userId)
}

const RAW_BODY = Symbol.for('h3RawBody')

/**
 * Read the request body once, refusing one over `maxBytes` (default `maxBodyBytes`) with a 413, as
 * Socket.IO refused messages over `maxHttpBufferSize`. h3's `readBody`, `readRawBody` and
 * `readValidatedBody` then read the same bytes; without this they buffer whatever the client sends.
 */
export async function limitRequestBody(event: H3Event, maxBytes = useSSERuntime().config.maxBodyBytes): Promise<void> {
  const req = event.node.req as typeof event.node.req & { [RAW_BODY]?: Promise<Buffer> }
  const tooLarge = () => createError({ statusCode: 413, statusMessage: 'Payload Too Large', message: `The request body is larger than ${maxBytes} bytes` })
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) throw tooLarge()
  if (req[RAW_BODY] || event._requestBody || 'body' in req || 'rawBody' in req || typeof req.on !== 'function') return
  const body = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > maxBytes) {
        req.removeAllListeners('data')
        req.pause()
        return reject(tooLarge())
      }
      chunks.push(chunk)
    })
    req.once('end', () => resolve(Buffer.concat(chunks)))
    req.once('error', reject)
  })
  req[RAW_BODY] = body
  await body
}

/** `readBody` within `maxBodyBytes` (see `limitRequestBody`): what the generated event routes read their payload with. */
export async function readChatBody<T = unknown>(event: H3Event): Promise<T> {
  await limitRequestBody(event)
  return (await readBody(event)) as T
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
  // Here rather than at the first stream or emit, so a deploy with an unusable setting fails at boot.
  const config = resolveConfig()
  assertUsableConfig(config, usesRedis(config))
}

/** Close every open stream and the broker now (graceful shutdown: clients reconnect to another instance). */
export function closeSSE(): Promise<void> {
  return closeSSERuntime()
}
