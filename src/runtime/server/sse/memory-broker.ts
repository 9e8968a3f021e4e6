import { replayBytes, type Broker, type BrokerSink, type ControlMessage, type ReplayLimits, type ReplayResult, type TicketAdmission } from './broker'
import type { SSEConfig } from './config'
import { compareEventIds, createIdGenerator, formatEventId, MAX_SEQ, parseEventId, type EventId } from './ids'
import type { LogEntry, SessionState, Target } from './types'

interface Stored {
  entry: LogEntry
  id: EventId
  at: number
  bytes: number
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
  /** Bytes of the retained entries' data. */
  private logBytes = 0
  /** Sessions of closed connections, until they expire, least recently saved first; open ones are read from the hub. */
  private readonly sessions = new Map<string, SessionState & { expiresAt: number }>()
  private lastSweep = 0
  private lastTicketSweep = 0
  /** Nonces of used tickets, until the ticket would have expired. */
  private readonly usedTickets = new Map<string, number>()
  /** Per user: tickets issued up to `upTo` are refused, until `until`. */
  private readonly revoked = new Map<string, { upTo: number; until: number }>()

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
    const bytes = Buffer.byteLength(data) + event.length
    this.log.push({ entry, id, at: Date.now(), bytes })
    this.logBytes += bytes
    this.trim()
    this.sink.deliver(entry)
  }

  async replay(cursor: string, limits: ReplayLimits = {}): Promise<ReplayResult> {
    this.trim()
    const after = parseEventId(cursor)
    const newest = this.head < this.log.length ? this.log.at(-1)!.id : this.floor
    const latest = formatEventId(newest)
    if (!after || compareEventIds(after, this.floor) < 0 || compareEventIds(after, newest) > 0) return { reset: true, reason: 'gone', latest, scanned: 0 }
    // The log is ordered: binary search for the first entry after the cursor.
    let lo = this.head
    let hi = this.log.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (compareEventIds(this.log[mid]!.id, after) <= 0) lo = mid + 1
      else hi = mid
    }
    const entries: LogEntry[] = []
    let bytes = 0
    for (let i = lo; i < this.log.length; i++) {
      const entry = this.log[i]!.entry
      if (limits.entitled && !limits.entitled(entry)) continue
      bytes += replayBytes(entry)
      if (limits.maxBytes !== undefined && bytes > limits.maxBytes) return { reset: true, reason: 'too-big', latest, scanned: i - lo + 1 }
      entries.push(entry)
    }
    return { reset: false, entries, scanned: this.log.length - lo }
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
    this.sessions.delete(state.connectionId)
    this.sessions.set(state.connectionId, { connectionId: state.connectionId, user: state.user, channels: state.channels, expiresAt: Date.now() + this.config.sessionTtlMs })
    // Bounded however fast streams open and close: past the cap the least recently saved cannot be resumed.
    for (const oldest of this.sessions.keys()) {
      if (this.sessions.size <= this.config.maxSessions) break
      this.sessions.delete(oldest)
    }
  }

  async deleteSession(connectionId: string): Promise<void> {
    this.sessions.delete(connectionId)
  }

  async admitTicket(ticket: { nonce: string; issuedAt: number; expiresAt: number }, userKey: string): Promise<TicketAdmission> {
    const now = Date.now()
    this.sweepTickets(now)
    const revoked = this.revoked.get(userKey)
    if (revoked && ticket.issuedAt <= revoked.upTo) return 'revoked'
    if (this.usedTickets.has(ticket.nonce)) return 'used'
    this.usedTickets.set(ticket.nonce, ticket.expiresAt)
    return 'ok'
  }

  async revokeTickets(userKey: string, upTo: number): Promise<void> {
    this.revoked.set(userKey, { upTo, until: upTo + this.config.ticketTtlMs })
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
    this.logBytes = 0
    this.sessions.clear()
    this.usedTickets.clear()
    this.revoked.clear()
  }

  private trim(): void {
    const oldest = Date.now() - this.config.logMaxAgeMs
    let head = this.head
    const byCount = this.log.length - this.config.logMaxEvents
    while (head < this.log.length && (head < byCount || this.log[head]!.at < oldest || this.logBytes > this.config.logMaxBytes)) {
      this.logBytes -= this.log[head]!.bytes
      head++
    }
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

  /** Ticket records go once the tickets they stand for have expired; swept on use, like sessions. */
  private sweepTickets(now: number): void {
    if (now - this.lastTicketSweep < 1000) return
    this.lastTicketSweep = now
    for (const [nonce, expiresAt] of this.usedTickets) if (expiresAt <= now) this.usedTickets.delete(nonce)
    for (const [user, entry] of this.revoked) if (entry.until <= now) this.revoked.delete(user)
  }

  /** Sessions are swept on writes, so no timer outlives the connections. */
  private sweepSessions(): void {
    const now = Date.now()
    if (now - this.lastSweep < 1000) return
    this.lastSweep = now
    for (const [id, found] of this.sessions) if (found.expiresAt < now) this.sessions.delete(id)
  }
}
