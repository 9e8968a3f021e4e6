import { createError, type H3Event } from 'h3'
import type { SSEUser } from '../../../src/runtime/server/sse/types'

/** The test app's rooms: which users may be in which rooms (as an app's chat_rooms table would say). */
export const roomsOf: Record<number, number[]> = { 1: [1, 2], 2: [1], 3: [3], 4: [4] }

/** Hooks as the migration generates them for an app: the user from the app's auth, rooms from its database. */
export async function authenticateSSE(event: H3Event): Promise<SSEUser> {
  // A slow auth backend, for tests of clients that leave meanwhile.
  const delay = Number(event.node.req.headers['x-auth-delay'] ?? 0)
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay))
  const user = event.context.user as SSEUser | undefined
  if (!user) throw createError({ statusCode: 401, statusMessage: 'Unauthorized', message: 'Authentication token required' })
  return user
}

/** Room 1 is joined at connect time; the others only on demand through subscribe(). */
export async function channelsForConnection(_event: H3Event, user: SSEUser): Promise<string[]> {
  return (roomsOf[Number(user.id)] ?? []).filter((room) => room === 1 || room === 3).map((room) => `room:${room}`)
}

export async function canSubscribe(user: SSEUser, channel: string): Promise<boolean> {
  if (channel === `user:${user.id}`) return true
  const room = /^room:(\d+)$/.exec(channel)
  return room ? (roomsOf[Number(user.id)] ?? []).includes(Number(room[1])) : false
}
