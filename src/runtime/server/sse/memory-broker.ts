import type { Broker, BrokerSink, ControlMessage, ReplayResult } from './broker'
import type { SSEConfig } from './config'
import { compareEventIds, createIdGenerator, formatEventId, MAX_SEQ, parseEventId, type EventId } from './ids'
import type { LogEntry, SessionState, Target } from './types'

interface Stored {
  entry: LogEntry
  id: EventId
  at: number
}

/** One instance, nothing to set up: the log and the sessions live in this process. */
export class MemoryBroker implements Broker {
  readonly kind = 'memory'
  /** Retained entries are `log[head..]`; evicted ones are dropped in batches so a full log costs O(1) per publish. */
  private readonly log: Stored[] = []
  private head = 0
  private readonly nextId = createIdGenerator()
  /** Entries at or before this id are gone (evicted, or issued before this process started). */
  private floor: EventId
  /** Sessions of closed connections, until they expire; open ones are read from the hub. */
  private readonly sessions = new Map<string, SessionState & { expiresAt: number }>()
  private lastSweep = 0

  constructor(
    private readonly config: SSEConfig,
    private readonly sink: BrokerSink,
  ) {
    this.floor = { ms: Date.now() - 1, seq: MAX_SEQ }
  }

  async ready(): Promise<void> {}

  async publish(event: string, data: string, target: Target): Promise<void> {
    const id = this.nextId()
    const entry: LogEntry = { id: formatEventId(id), event, data, target }
    this.log.push({ entry, id, at: Date.now() })
    this.trim()
    this.sink.deliver(entry, false)
  }

  async replay(cursor: string): Promise<ReplayResult> {
    this.trim()
    const after = parseEventId(cursor)
    const newest = this.head < this.log.length ? this.log.at(-1)!.id : this.floor
    if (!after || compareEventIds(after, this.floor) < 0 || compareEventIds(after, newest) > 0) return { reset: true, latest: formatEventId(newest) }
    // The log is ordered: binary search for the first entry after the cursor.
    let lo = this.head
    let hi = this.log.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (compareEventIds(this.log[mid]!.id, after) <= 0) lo = mid + 1
      else hi = mid
    }
    return { reset: false, entries: this.log.slice(lo).map((s) => s.entry) }
  }

  async latestId(): Promise<string | undefined> {
    this.trim()
    return formatEventId(this.head < this.log.length ? this.log.at(-1)!.id : this.floor)
  }

  async saveSession(state: SessionState): Promise<void> {
    this.sweepSessions()
    if (this.sink.openSession?.(state.connectionId)) {
      // Open on this (the only) instance: the connection itself is the session until it closes.
      this.sessions.delete(state.connectionId)
      return
    }
    // `channels` is kept as given: callers never mutate a saved array (see SessionState).
    this.sessions.set(state.connectionId, { connectionId: state.connectionId, user: state.user, channels: state.channels, expiresAt: Date.now() + this.config.sessionTtlMs })
  }

  async loadSession(connectionId: string): Promise<SessionState | undefined> {
    const open = this.sink.openSession?.(connectionId)
    if (open) return open
    const found = this.sessions.get(connectionId)
    if (!found || found.expiresAt < Date.now()) return undefined
    return { connectionId: found.connectionId, user: found.user, channels: [...found.channels] }
  }

  async touchSessions(connectionIds: string[]): Promise<void> {
    const expiresAt = Date.now() + this.config.sessionTtlMs
    for (const id of connectionIds) {
      const found = this.sessions.get(id)
      if (found) found.expiresAt = expiresAt
    }
    this.sweepSessions()
  }

  async sendControl(message: ControlMessage): Promise<void> {
    this.sink.control(message)
  }

  async close(): Promise<void> {
    this.log.length = 0
    this.head = 0
    this.sessions.clear()
  }

  private trim(): void {
    const oldest = Date.now() - this.config.logMaxAgeMs
    let head = Math.max(this.head, this.log.length - this.config.logMaxEvents)
    while (head < this.log.length && this.log[head]!.at < oldest) head++
    if (head === this.head) return
    this.floor = this.log[head - 1]!.id
    this.head = head
    // Moving the retained entries to the front costs one pass over them, so do it only once the
    // evicted prefix is at least as long as what is retained: amortised O(1) per publish.
    if (this.head >= this.log.length - this.head) {
      this.log.splice(0, this.head)
      this.head = 0
    }
  }

  /** Sessions are swept on writes, so no timer outlives the connections. */
  private sweepSessions(): void {
    const now = Date.now()
    if (now - this.lastSweep < 1000) return
    this.lastSweep = now
    for (const [id, found] of this.sessions) if (found.expiresAt < now) this.sessions.delete(id)
  }
}
