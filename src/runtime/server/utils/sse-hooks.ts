import { createError, type H3Event } from 'h3'
import type { SSEUser } from '../sse/types'

/**
 * The app's side of the SSE layer. This default trusts the user the app's own auth middleware put on
 * `event.context.user` (or `event.context.auth.user`); the migration replaces this file with code
 * taken from the app's Socket.IO `io.use` middleware and connection handler.
 */
export async function authenticateSSE(event: H3Event): Promise<SSEUser> {
  const context = event.context as { user?: unknown; auth?: { user?: unknown } }
  const user = (context.user ?? context.auth?.user) as SSEUser | undefined
  if (!user || (typeof user.id !== 'string' && typeof user.id !== 'number')) {
    throw createError({ statusCode: 401, statusMessage: 'Unauthorized', message: 'Authentication required' })
  }
  return user
}

/** Channels a new stream joins besides `user:<id>` (always joined). */
export async function channelsForConnection(_event: H3Event, _user: SSEUser): Promise<string[]> {
  return []
}

/** Whether `subscribe()` may add the channel. Default: only the user's own channel; allow rooms after an access check. */
export async function canSubscribe(user: SSEUser, channel: string): Promise<boolean> {
  return channel === `user:${user.id}`
}
