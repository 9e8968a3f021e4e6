import { randomUUID } from 'node:crypto'
import Redis, { type RedisOptions } from 'ioredis'
import { replayBytes, type Broker, type BrokerSink, type ControlMessage, type ReplayLimits, type ReplayResult, type TicketAdmission } from './broker'
import type { SSEConfig } from './config'
import { compareEventIds, parseEventId, type EventId } from './ids'
import type { LogEntry, SessionState, Target } from './types'
import { logError } from './runtime'

interface Pending {
  uid: string
  event: string
  data: string
  target: Target
  /** The local connections it was delivered to (without an id) while the log was unreachable. */
  deliveredTo?: ReadonlySet<string>
}

/** Opens one connection of the broker, with the options it needs for that connection. */
export type RedisConnector = (options: RedisOptions) => Redis

/** How long emits made right after startup wait for the first connection to Redis. */
const STARTUP_WAIT_MS = 3000

/** Log entries read per XRANGE while replaying. */
const REPLAY_PAGE = 1000

/** Entries the reader has seen, by uid: an event retried after an ambiguous failure is delivered once. */
const SEEN_LIMIT = 10_000

/**
 * Several instances: the log is a capped Redis stream (XADD MAXLEN ~), so replay works whichever
 * instance a client reconnects to, and every instance delivers from it in the same order.
 * Three connections, because a blocking XREAD stalls everything else on its connection: `reader`
 * (XREAD BLOCK), `writer` (XADD, fails fast while Redis is down) and `commands` (sessions, replay).
 * While Redis is down, events are delivered locally without an id and kept in an outbox that is
 * appended to the log on reconnect; other instances then deliver them and replay can serve them.
 */
export class RedisBroker implements Broker {
  readonly kind = 'redis'
  private readonly instanceId = randomUUID()
  private readonly key: string
  private readonly reader: Redis
  private readonly writer: Redis
  private readonly commands: Redis
  private lastRead = '0-0'
  private started = false
  private closing = false
  private readonly loop: Promise<void>
  private readonly outbox: Pending[] = []
  private flushing = false
  private readonly seen = new Set<string>()
  /** Outbox events appended to the log, by uid, until the reader sees them: who got them during the outage. */
  private readonly deliveredDuringOutage = new Map<string, ReadonlySet<string>>()
  private publishes = 0
  private lastErrorLog = 0
  private readonly readyOrTimeout: Promise<void>
  private readonly readyWaiters: (() => void)[] = []

  /**
   * `connect` opens each of the three connections with the broker's options; by default to
   * `config.redisUrl`. An app that has its own Redis client passes `(options) => appClient.duplicate(options)`:
   * the same server, database and credentials, with no URL to configure.
   */
  constructor(
    private readonly config: SSEConfig,
    private readonly sink: BrokerSink,
    connect: RedisConnector = (options) => new Redis(config.redisUrl, options),
  ) {
    this.key = `${config.redisPrefix}:log`
    const base: RedisOptions = {
      // Options copied from an app's client may make it wait for a first command; the reader never sends one.
      lazyConnect: false,
      retryStrategy: (times) => Math.min(100 * times, 2000),
      connectionName: `sse-${this.instanceId.slice(0, 8)}`,
    }
    this.reader = connect({ ...base, maxRetriesPerRequest: null })
    this.writer = connect({ ...base, enableOfflineQueue: false, autoResendUnfulfilledCommands: false, maxRetriesPerRequest: 0 })
    this.commands = connect({ ...base, maxRetriesPerRequest: 1 })
    for (const [name, client] of [['reader', this.reader], ['writer', this.writer], ['commands', this.commands]] as const) {
      client.on('error', (error: Error) => this.logThrottled(`redis ${name}`, error))
    }
    this.writer.on('ready', () => {
      this.checkReady()
      void this.flush()
    })
    this.loop = this.run()
    // Emits right after startup wait for Redis (briefly) instead of taking the outage path.
    this.readyOrTimeout = Promise.race([
      new Promise<void>((resolve) => this.readyWaiters.push(resolve)),
      new Promise<void>((resolve) => setTimeout(resolve, STARTUP_WAIT_MS).unref()),
    ])
  }

  private checkReady(): void {
    if (!this.started || this.writer.status !== 'ready') return
    for (const resolve of this.readyWaiters.splice(0)) resolve()
  }

  ready(): Promise<void> {
    return this.readyOrTimeout
  }

  async publish(event: string, data: string, target: Target): Promise<void> {
    const pending: Pending = { uid: randomUUID(), event, data, target }
    await this.readyOrTimeout
    // Keep order: once something waits in the outbox, later events queue behind it.
    if (!this.started || this.writer.status !== 'ready' || this.outbox.length > 0) return this.holdBack(pending)
    try {
      await this.append(pending, false)
    } catch (error) {
      this.logThrottled('publishing to redis (delivered locally, queued for the log)', error)
      this.holdBack(pending)
    }
  }

  async replay(cursor: string, limits: ReplayLimits = {}): Promise<ReplayResult> {
    const info = await this.streamInfo()
    const after = parseEventId(cursor)
    const latest = info.lastGenerated
    if (!after || !latest || compareEventIds(after, parseEventId(latest)!) > 0) return { reset: true, reason: 'gone', latest, scanned: 0 }
    if (entriesLostAfter(after, info)) return { reset: true, reason: 'gone', latest, scanned: 0 }
    const entries: LogEntry[] = []
    const uids = new Set<string>()
    let from = `(${cursor}`
    let scanned = 0
    let bytes = 0
    // MAXLEN ~ keeps somewhat more than logMaxEvents; a log far longer than that is not replayed whole.
    const maxPages = Math.ceil((this.config.logMaxEvents * 2) / REPLAY_PAGE) + 1
    for (let page = 0; page < maxPages; page++) {
      const rows = (await this.commands.xrange(this.key, from, '+', 'COUNT', REPLAY_PAGE)) as [string, string[]][]
      scanned += rows.length
      for (const [id, fields] of rows) {
        const row = decode(fields)
        if (row.k !== 'event' || uids.has(row.u)) continue
        uids.add(row.u)
        const entry: LogEntry = { id, event: row.e, data: row.x, target: JSON.parse(row.t) as Target }
        if (limits.entitled && !limits.entitled(entry)) continue
        bytes += replayBytes(entry)
        // Pages stop as soon as the budget is passed: what was read is dropped, not held.
        if (limits.maxBytes !== undefined && bytes > limits.maxBytes) return { reset: true, reason: 'too-big', latest, scanned }
        entries.push(entry)
      }
      if (rows.length < REPLAY_PAGE) return { reset: false, entries, scanned }
      from = `(${rows.at(-1)![0]}`
    }
    return { reset: true, reason: 'too-big', latest, scanned }
  }

  // Entries already appended (in `deliveredDuringOutage`) are left out: the replay or the reader brings them with their id.
  claimUnlogged(connectionId: string): { event: string; data: string; target: Target }[] {
    for (const pending of this.outbox) pending.deliveredTo = new Set(pending.deliveredTo).add(connectionId)
    return this.outbox.map(({ event, data, target }) => ({ event, data, target }))
  }

  async latestId(): Promise<string | undefined> {
    return (await this.streamInfo()).lastGenerated
  }

  async saveSession(state: SessionState): Promise<void> {
    await this.commands.set(this.sessionKey(state.connectionId), JSON.stringify(state), 'PX', this.config.sessionTtlMs)
  }

  async loadSession(connectionId: string): Promise<SessionState | undefined> {
    const text = await this.commands.get(this.sessionKey(connectionId))
    return text ? (JSON.parse(text) as SessionState) : undefined
  }

  async deleteSession(connectionId: string): Promise<void> {
    await this.commands.del(this.sessionKey(connectionId))
  }

  async admitTicket(ticket: { nonce: string; issuedAt: number; expiresAt: number }, userKey: string): Promise<TicketAdmission> {
    const ttl = Math.max(1, ticket.expiresAt - Date.now())
    const results = await this.commands
      .pipeline()
      .get(`${this.config.redisPrefix}:revoked:${userKey}`)
      .set(`${this.config.redisPrefix}:ticket:${ticket.nonce}`, '1', 'PX', ttl, 'NX')
      .exec()
    if (!results) throw new Error('no reply from redis')
    for (const [error] of results) if (error) throw error
    const revokedUpTo = results[0]![1] as string | null
    if (revokedUpTo !== null && ticket.issuedAt <= Number(revokedUpTo)) return 'revoked'
    return results[1]![1] === 'OK' ? 'ok' : 'used'
  }

  async revokeTickets(userKey: string, upTo: number): Promise<void> {
    await this.commands.set(`${this.config.redisPrefix}:revoked:${userKey}`, String(upTo), 'PX', this.config.ticketTtlMs)
  }

  async touchSessions(connectionIds: string[]): Promise<void> {
    if (connectionIds.length === 0 || this.commands.status !== 'ready') return
    const pipeline = this.commands.pipeline()
    for (const id of connectionIds) pipeline.pexpire(this.sessionKey(id), this.config.sessionTtlMs)
    await pipeline.exec()
  }

  async sendControl(message: ControlMessage): Promise<void> {
    await this.writer.xadd(this.key, 'MAXLEN', '~', this.config.logMaxEvents, '*', 'k', 'control', 'u', randomUUID(), 'o', this.instanceId, 't', JSON.stringify(message))
  }

  async close(): Promise<void> {
    this.closing = true
    if (this.outbox.length > 0) console.error(`[sse] closing with ${this.outbox.length} events not yet in the Redis log (delivered on this instance only)`)
    this.reader.disconnect()
    await this.loop
    this.writer.disconnect()
    this.commands.disconnect()
  }

  private sessionKey(connectionId: string): string {
    return `${this.config.redisPrefix}:session:${connectionId}`
  }

  /** Deliver here now; the log and the other instances get it when Redis is back. */
  private holdBack(pending: Pending): void {
    pending.deliveredTo = this.sink.deliverUnlogged(pending.event, pending.data, pending.target)
    this.outbox.push(pending)
    if (this.outbox.length > this.config.logMaxEvents) {
      const dropped = this.outbox.splice(0, this.outbox.length - this.config.logMaxEvents)
      console.error(`[sse] Redis unreachable: ${dropped.length} events were delivered on this instance only and dropped from the outbox`)
    }
  }

  private async append(pending: Pending, deliveredHere: boolean): Promise<void> {
    await this.writer.xadd(
      this.key, 'MAXLEN', '~', this.config.logMaxEvents, '*',
      'k', 'event', 'u', pending.uid, 'o', this.instanceId, 'd', deliveredHere ? '1' : '0',
      'e', pending.event, 'x', pending.data, 't', JSON.stringify(pending.target),
    )
    if (++this.publishes % 100 === 0) this.trimByAge()
  }

  /** Append the outbox in order once Redis is back; stop at the first failure and retry on the next `ready`. */
  private async flush(): Promise<void> {
    if (!this.started || this.flushing) return
    this.flushing = true
    try {
      while (this.outbox.length > 0 && !this.closing) {
        const pending = this.outbox[0]!
        // Recorded before the append: the reader can see the entry before XADD's reply arrives.
        this.deliveredDuringOutage.set(pending.uid, pending.deliveredTo ?? new Set())
        await this.append(pending, true)
        this.outbox.shift()
      }
    } catch (error) {
      this.logThrottled('flushing the outbox to redis', error)
    } finally {
      this.flushing = false
    }
  }

  private trimByAge(): void {
    const minId = `${Date.now() - this.config.logMaxAgeMs}-0`
    this.commands.xtrim(this.key, 'MINID', '~', minId).catch((error: unknown) => this.logThrottled('trimming the log', error))
  }

  /** Read the log from where this instance started, in order, for as long as the broker is open. */
  private async run(): Promise<void> {
    while (!this.closing && !this.started) {
      try {
        const last = (await this.commands.xrevrange(this.key, '+', '-', 'COUNT', 1)) as [string, string[]][]
        this.lastRead = last[0]?.[0] ?? '0-0'
        this.started = true
      } catch (error) {
        this.logThrottled('starting the redis broker', error)
        await sleep(200)
      }
    }
    this.checkReady()
    if (this.writer.status === 'ready') void this.flush()
    while (!this.closing) {
      try {
        const result = (await this.reader.xread('COUNT', 1000, 'BLOCK', 5000, 'STREAMS', this.key, this.lastRead)) as
          | [string, [string, string[]][]][]
          | null
        for (const [id, fields] of result?.[0]?.[1] ?? []) {
          this.lastRead = id
          this.handle(id, fields)
        }
      } catch (error) {
        if (this.closing) break
        this.logThrottled('reading the redis log', error)
        await sleep(200)
      }
    }
  }

  private handle(id: string, fields: string[]): void {
    const row = decode(fields)
    if (this.seen.has(row.u)) return
    this.seen.add(row.u)
    if (this.seen.size > SEEN_LIMIT) this.seen.delete(this.seen.values().next().value!)
    try {
      if (row.k === 'control') return this.sink.control(JSON.parse(row.t) as ControlMessage)
      const entry: LogEntry = { id, event: row.e, data: row.x, target: JSON.parse(row.t) as Target }
      const deliveredTo = row.d === '1' && row.o === this.instanceId ? this.deliveredDuringOutage.get(row.u) : undefined
      this.deliveredDuringOutage.delete(row.u)
      this.sink.deliver(entry, deliveredTo)
    } catch (error) {
      logError(`delivering log entry ${id}`, error)
    }
  }

  private async streamInfo(): Promise<StreamInfo> {
    let raw: unknown[]
    try {
      raw = (await this.commands.xinfo('STREAM', this.key)) as unknown[]
    } catch (error) {
      if (error instanceof Error && /no such key/i.test(error.message)) return {}
      throw error
    }
    const info = new Map<string, unknown>()
    for (let i = 0; i + 1 < raw.length; i += 2) info.set(String(raw[i]), raw[i + 1])
    const first = info.get('first-entry') as [string, string[]] | null | undefined
    return {
      lastGenerated: info.get('last-generated-id') as string | undefined,
      maxDeleted: info.get('max-deleted-entry-id') as string | undefined,
      firstEntry: first?.[0],
    }
  }

  private logThrottled(what: string, error: unknown): void {
    if (this.closing) return
    const now = Date.now()
    if (now - this.lastErrorLog < 5000) return
    this.lastErrorLog = now
    logError(what, error)
  }
}

interface StreamInfo {
  lastGenerated?: string
  /** Redis >= 7 only. */
  maxDeleted?: string
  firstEntry?: string
}

/**
 * Whether entries after the cursor are gone: trimmed past it (Redis >= 7 records the newest deleted
 * id), or the stream is younger than the cursor (Redis lost it and it was created again).
 */
function entriesLostAfter(cursor: EventId, info: StreamInfo): boolean {
  const first = info.firstEntry ? parseEventId(info.firstEntry) : undefined
  const maxDeleted = info.maxDeleted ? parseEventId(info.maxDeleted) : undefined
  if (maxDeleted && (maxDeleted.ms > 0 || maxDeleted.seq > 0)) return compareEventIds(cursor, maxDeleted) < 0
  // Nothing ever deleted (or Redis < 7, where the first entry is the only conservative bound).
  return first !== undefined && compareEventIds(cursor, first) < 0
}

function decode(fields: string[]): Record<string, string> & { k: string; u: string; t: string; e: string; x: string; d: string; o: string } {
  const row: Record<string, string> = {}
  for (let i = 0; i + 1 < fields.length; i += 2) row[fields[i]!] = fields[i + 1]!
  return row as ReturnType<typeof decode>
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
