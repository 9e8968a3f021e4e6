import type { H3Event } from 'h3'

export type UserId = string | number

export interface SSEUser {
  id: UserId
  [key: string]: unknown
}

export interface EmitOptions {
  /** Connection ids that must not receive the event. */
  except?: string | string[]
}

/** Who an event is for. A connection is entitled to it when one of these matches and it is not excepted. */
export type Target =
  | { kind: 'channels'; channels: string[]; except: string[] }
  | { kind: 'broadcast'; except: string[] }
  | { kind: 'connection'; connectionId: string }

/** One event of the app's ordered log. `data` is the JSON text, serialised once per emit. */
export interface LogEntry {
  id: string
  event: string
  data: string
  target: Target
}

/** What a connection is entitled to; also what a resume restores. */
export interface SessionState {
  connectionId: string
  user: SSEUser
  /** Never mutated once saved (brokers may keep the array as given). */
  channels: readonly string[]
  /** The stream is open (on some instance): a resume then gets a new connection id instead of taking it over. */
  live?: boolean
}

/** The hooks the app provides (server/utils/sse-hooks.ts). */
export interface SSEHooks {
  authenticateSSE(event: H3Event): Promise<SSEUser>
  channelsForConnection(event: H3Event, user: SSEUser): Promise<string[]>
  canSubscribe(user: SSEUser, channel: string): Promise<boolean>
  /** Once per stream that ended, however it ended: the app's clean-up (what a Socket.IO `disconnect` handler did). */
  connectionClosed?(user: SSEUser): Promise<void> | void
}
