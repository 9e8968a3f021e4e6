import type { CallExpression } from 'ts-morph'
import type { ServerModel } from './server/types.js'
import type { HandlerModel } from './handlers/types.js'
import type { ClientModel } from './client/types.js'

/**
 * One client→server event and the POST route that replaces it. Computed once by the analysis from
 * the server handlers and the config; the server-handlers transform generates (or maps) the routes
 * and the client transform calls exactly these URLs, so the two can never disagree.
 */
export type EventRoute = GeneratedRoute | ExistingRoute | DroppedRoute

/** A new route file the server-handlers transform writes from the handler. */
export interface GeneratedRoute {
  event: string
  status: 'generated'
  /** URL the client calls, e.g. `/api/chat/send-message`. */
  url: string
  /** Repo-relative route file. */
  file: string
  /** The handler took this many positional arguments: the body is a JSON array of them. */
  args?: number
}

/** A route the app has already: mapped by config, or at the path a new one would have taken. */
export interface ExistingRoute {
  event: string
  status: 'existing'
  url: string
  /** Repo-relative route file; undefined when the config names a URL no route file serves. */
  file?: string
}

/** Nothing to do over HTTP (a keep-alive, or dropped by config). */
export interface DroppedRoute {
  event: string
  status: 'dropped'
  /** Why, for the report. */
  reason: string
}

/**
 * An event an earlier pass of the plan took back to Socket.IO, with why. `defect`: what the tool
 * wrote for it would not have run (a bug of the tool); otherwise browser code that uses it cannot
 * move (a call the stream handle has no equivalent for), so the event stays with that code.
 */
export interface Withdrawal {
  reason: string
  defect: boolean
}

/** Emits that must stay on Socket.IO, each with why: a clause completing "this emit …". */
export type KeptEmits = ReadonlyMap<CallExpression, string>

/** The one model of the repo's Socket.IO usage. Built once by `analyse()`; transforms only read it. */
export interface SocketModel {
  server: ServerModel
  handlers: HandlerModel
  client: ClientModel
  /** event name → route. */
  eventRoutes: ReadonlyMap<string, EventRoute>
  /** io emits whose event cannot move end to end (rooms only kept code joins, socket-id rooms, unmigrated listeners): they stay on Socket.IO, with why. */
  keptEmits: KeptEmits
  /** Every event the app's own server code emits; undefined when that cannot be known. */
  serverEvents: ReadonlySet<string> | undefined
  /** True when the repo uses Socket.IO at all (server or client). False → "nothing to migrate". */
  usesSocketIO: boolean
  /** Events an earlier pass of the plan took back to Socket.IO: every side of them stays there. */
  withdrawn: ReadonlyMap<string, Withdrawal>
  /**
   * Browser files left exactly as they were, with why: they share a socket with code that cannot run
   * on the SSE handle. The plan takes every event they send or hear back to Socket.IO.
   */
  keptClient: ReadonlyMap<string, string>
}
