import type { CallExpression } from 'ts-morph'
import type { ServerModel } from './server/types.js'
import type { HandlerModel } from './handlers/types.js'
import type { ClientModel } from './client/types.js'

/**
 * One client→server event and the REST route that replaces it. Computed once by the analysis from
 * the server handlers and the config; the server-handlers transform generates (or maps) the routes
 * and the client transform calls exactly these URLs, so the two can never disagree.
 */
export interface EventRoute {
  event: string
  method: 'POST'
  /** URL the client calls, e.g. `/api/chat/send-message`. */
  url: string
  /** Repo-relative route file, generated or existing. Undefined when dropped. */
  file?: string
  /** `generated`: a new route file; `existing`: mapped by config to a route that exists; `dropped`: nothing to do over HTTP. */
  status: 'generated' | 'existing' | 'dropped'
  /** Why it was dropped, for the report. */
  dropReason?: string
  /** The handler took this many positional arguments: the body is a JSON array of them. */
  args?: number
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
}
