import type { LogEntry, SessionState, Target } from './types'

/** A subscription change for a connection that may be held by another instance. */
export interface ControlMessage {
  op: 'subscribe' | 'unsubscribe'
  connectionId: string
  channels: string[]
}

/** Where a broker hands what it reads from the log: the local connection hub. */
export interface BrokerSink {
  /**
   * An entry of the log, in log order. `deliveredEarlier`: this instance already delivered it
   * without an id while the shared log was unreachable; only the cursor has to move now.
   */
  deliver(entry: LogEntry, deliveredEarlier: boolean): void
  /** An event that could not reach the shared log yet: deliver it now, without an id. */
  deliverUnlogged(event: string, data: string, target: Target): void
  control(message: ControlMessage): void
  /**
   * The session of a connection open on this instance, read from the connection itself. The
   * in-memory broker keeps no copy of open connections' sessions (there can be tens of thousands);
   * a shared broker (Redis) stores every session so other instances can read it.
   */
  openSession?(connectionId: string): SessionState | undefined
}

/** `reset`: entries after the cursor were lost; `latest` is where the client's cursor should move to. */
export type ReplayResult = { reset: true; latest: string | undefined } | { reset: false; entries: LogEntry[] }

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
  /** Every entry after `cursor`, oldest first, or `reset` when some of them are no longer in the log. */
  replay(cursor: string): Promise<ReplayResult>
  /** The id of the log's newest entry (a position before any entry when it is empty); undefined when unknown. */
  latestId(): Promise<string | undefined>
  /** Remember a connection's user and channels so a resume (on any instance) restores them. */
  saveSession(state: SessionState): Promise<void>
  loadSession(connectionId: string): Promise<SessionState | undefined>
  /** Keep the sessions of live connections from expiring (called on every heartbeat). */
  touchSessions(connectionIds: string[]): Promise<void>
  /** Ask the instance holding a connection to change its subscriptions. */
  sendControl(message: ControlMessage): Promise<void>
  close(): Promise<void>
}
