import type { LogEntry, SessionState, Target } from './types'

/** A subscription change for a connection that may be held by another instance, or the end of a user's streams everywhere. */
export type ControlMessage =
  | { op: 'subscribe' | 'unsubscribe'; connectionId: string; channels: string[] }
  | { op: 'close-user'; userKey: string }

/** Whether a verified ticket may open a stream: `used` (a second use) and `revoked` (issued before `closeUserStreams`) may not. */
export type TicketAdmission = 'ok' | 'used' | 'revoked'

/** Where a broker hands what it reads from the log: the local connection hub. */
export interface BrokerSink {
  /**
   * An entry of the log, in log order. `deliveredTo`: the connections of this instance that already
   * got it without an id while the shared log was unreachable; only their cursor has to move now.
   */
  deliver(entry: LogEntry, deliveredTo?: ReadonlySet<string>): void
  /** An event that could not reach the shared log yet: deliver it now, without an id. Returns the connection ids it reached. */
  deliverUnlogged(event: string, data: string, target: Target): ReadonlySet<string>
  control(message: ControlMessage): void
  /**
   * The session of a connection open on this instance, read from the connection itself. The
   * in-memory broker keeps no copy of open connections' sessions (there can be tens of thousands);
   * a shared broker (Redis) stores every session so other instances can read it.
   */
  openSession?(connectionId: string): SessionState | undefined
}

/**
 * `reset`: entries after the cursor were lost (`gone`) or the entitled ones are more than one replay
 * may send (`too-big`); `latest` is where the client's cursor should move to. `scanned`: log entries
 * read, the replay's cost.
 */
export type ReplayResult =
  | { reset: true; reason: 'gone' | 'too-big'; latest: string | undefined; scanned: number }
  | { reset: false; entries: LogEntry[]; scanned: number }

/** Which entries a replay keeps, and how many bytes of them it may keep before it gives up with a reset. */
export interface ReplayLimits {
  entitled?: (entry: LogEntry) => boolean
  maxBytes?: number
}

/** What a replayed entry costs on the wire, near enough to budget by. */
export function replayBytes(entry: LogEntry): number {
  return Buffer.byteLength(entry.data) + entry.event.length + entry.id.length + 20
}

/**
 * The app's one ordered event log and the channel between instances. The in-memory broker serves a
 * single instance; the Redis broker shares the log and the sessions between several.
 */
export interface Broker {
  readonly kind: 'memory' | 'redis'
  /** Resolves once the broker delivers what is published from now on (or after a bounded startup wait). */
  ready(): Promise<void>
  /** Append an event to the log; every instance (this one included) delivers it in log order. */
  publish(event: string, data: string, target: Target): Promise<void>
  /** Every (entitled) entry after `cursor`, oldest first, or `reset` when some of them are no longer in the log or they are over the budget. */
  replay(cursor: string, limits?: ReplayLimits): Promise<ReplayResult>
  /**
   * The events this instance delivered without an id and has not appended to the log yet (an
   * outage), oldest first; from now on they count as delivered to `connectionId`, so the log's copy
   * later only moves its cursor. A resuming stream gets the ones it is entitled to after its replay.
   */
  claimUnlogged?(connectionId: string): { event: string; data: string; target: Target }[]
  /** The id of the log's newest entry (a position before any entry when it is empty); undefined when unknown. */
  latestId(): Promise<string | undefined>
  /** Remember a connection's user and channels so a resume (on any instance) restores them. */
  saveSession(state: SessionState): Promise<void>
  loadSession(connectionId: string): Promise<SessionState | undefined>
  deleteSession(connectionId: string): Promise<void>
  /** Record the ticket's nonce until it expires (first use only) and check the user's revocation; shared by every instance. */
  admitTicket(ticket: { nonce: string; issuedAt: number; expiresAt: number }, userKey: string): Promise<TicketAdmission>
  /** Refuse the user's tickets issued up to `upTo` (ms), for as long as any of them could be valid. */
  revokeTickets(userKey: string, upTo: number): Promise<void>
  /** Keep the sessions of live connections from expiring (called on every heartbeat). */
  touchSessions(connectionIds: string[]): Promise<void>
  /** Ask the instance holding a connection to change its subscriptions. */
  sendControl(message: ControlMessage): Promise<void>
  close(): Promise<void>
}
