import type { BrokerSink, ControlMessage } from './broker'
import type { Connection } from './connection'
import { HEARTBEAT, encodeCursor, encodeEvent, encodeFrame, type Frame } from './frame'
import type { LogEntry, SessionState, Target } from './types'

/**
 * The connections in an index entry. Most users have one stream and a `user:<id>` channel has
 * only that user's, so a lone connection is stored as itself and a Set is made only for two or more:
 * an idle connection does not pay for Sets of one.
 */
export type Members = Connection | Set<Connection>

/**
 * The connections open on this instance, indexed by channel and user. Each event is encoded once
 * (one Frame) and the same Buffers are written to every connection entitled to it.
 */
export class Hub implements BrokerSink {
  readonly connections = new Map<string, Connection>()
  readonly byChannel = new Map<string, Members>()
  readonly byUser = new Map<string, Members>()
  private heartbeat: NodeJS.Timeout | undefined

  constructor(
    private readonly heartbeatMs: number,
    private readonly onHeartbeat: (connectionIds: string[]) => void,
  ) {}

  add(connection: Connection): void {
    this.connections.set(connection.id, connection)
    addTo(this.byUser, connection.userKey, connection)
    for (const channel of connection.channels) addTo(this.byChannel, channel, connection)
    // One shared timer while anything is open, none when idle: nothing to leak per connection.
    // Not unref'd: open streams keep the process alive anyway, and it stays visible to leak checks.
    if (!this.heartbeat && this.heartbeatMs > 0) this.heartbeat = setInterval(() => this.beat(), this.heartbeatMs)
  }

  remove(connection: Connection): void {
    // A resumed connection reuses the id: only the map entry that is still this object goes.
    if (this.connections.get(connection.id) === connection) this.connections.delete(connection.id)
    removeFrom(this.byUser, connection.userKey, connection)
    for (const channel of connection.channels) removeFrom(this.byChannel, channel, connection)
    if (this.connections.size === 0 && this.heartbeat) {
      clearInterval(this.heartbeat)
      this.heartbeat = undefined
    }
  }

  join(connection: Connection, channels: string[]): void {
    const added = connection.join(channels)
    if (this.connections.get(connection.id) !== connection) return
    for (const channel of added) addTo(this.byChannel, channel, connection)
  }

  leave(connection: Connection, channels: string[]): void {
    for (const channel of connection.leave(channels)) removeFrom(this.byChannel, channel, connection)
  }

  userConnections(userKey: string): Connection[] {
    return members(this.byUser.get(userKey))
  }

  deliver(entry: LogEntry, deliveredTo?: ReadonlySet<string>): void {
    if (!deliveredTo) return this.fanOut(entry.target, encodeEvent(entry), entry.id)
    // Back from an outage: the connections that got it then only move their cursor; the rest
    // (opened since, or resumed here from another instance) get the event itself.
    let event: Frame | undefined
    let cursor: Frame | undefined
    this.forEachEntitled(entry.target, (connection) => {
      const frame = deliveredTo.has(connection.id) ? (cursor ??= encodeFrame(encodeCursor(entry.id))) : (event ??= encodeFrame(encodeEvent(entry)))
      connection.send(frame, entry.id)
    })
  }

  deliverUnlogged(event: string, data: string, target: Target): ReadonlySet<string> {
    const reached = new Set<string>()
    let frame: Frame | undefined
    this.forEachEntitled(target, (connection) => {
      connection.send((frame ??= encodeFrame(`event: ${event}\ndata: ${data}\n\n`)))
      reached.add(connection.id)
    })
    return reached
  }

  openSession(connectionId: string): SessionState | undefined {
    const connection = this.connections.get(connectionId)
    return connection && !connection.closed ? { connectionId, user: connection.user, channels: [...connection.channels], live: true } : undefined
  }

  control(message: ControlMessage): void {
    if (message.op === 'close-user') return this.closeUser(message.userKey)
    const connection = this.connections.get(message.connectionId)
    if (!connection) return
    if (message.op === 'subscribe') this.join(connection, message.channels)
    else this.leave(connection, message.channels)
  }

  /** End the user's streams here for good: no session is kept, so nothing can resume them. */
  closeUser(userKey: string): void {
    for (const connection of this.userConnections(userKey)) {
      connection.forget = true
      connection.close()
      this.remove(connection)
    }
  }

  closeAll(): void {
    for (const connection of [...this.connections.values()]) {
      connection.close()
      this.remove(connection)
    }
  }

  /** Write `text` to every connection entitled to `target`, encoded once and only when someone gets it. */
  private fanOut(target: Target, text: string, id: string | undefined): void {
    let frame: Frame | undefined
    this.forEachEntitled(target, (connection) => connection.send((frame ??= encodeFrame(text)), id))
  }

  /**
   * Every connection entitled to `target` (see `isEntitled`), each once. The loops walk the indexes
   * directly: no recipient array per emit.
   */
  private forEachEntitled(target: Target, visit: (connection: Connection) => void): void {
    if (target.kind === 'connection') {
      const connection = this.connections.get(target.connectionId)
      if (connection) visit(connection)
      return
    }
    const except = target.except
    if (target.kind === 'broadcast') {
      for (const connection of this.connections.values()) {
        if (except.length === 0 || !except.includes(connection.id)) visit(connection)
      }
      return
    }
    const channels = target.channels
    // A connection in several of the target channels gets the event once.
    const seen = channels.length > 1 ? new Set<Connection>() : undefined
    const once = (connection: Connection): void => {
      if (seen) {
        if (seen.has(connection)) return
        seen.add(connection)
      }
      if (except.length === 0 || !except.includes(connection.id)) visit(connection)
    }
    for (const channel of channels) {
      const found = this.byChannel.get(channel)
      if (found instanceof Set) for (const connection of found) once(connection)
      else if (found) once(found)
    }
  }

  private beat(): void {
    const frame = encodeFrame(HEARTBEAT)
    for (const connection of this.connections.values()) connection.send(frame)
    this.onHeartbeat([...this.connections.keys()])
  }
}

function members(found: Members | undefined): Connection[] {
  return found === undefined ? [] : found instanceof Set ? [...found] : [found]
}

function addTo(map: Map<string, Members>, key: string, connection: Connection): void {
  const found = map.get(key)
  if (found === undefined) map.set(key, connection)
  else if (found instanceof Set) found.add(connection)
  else if (found !== connection) map.set(key, new Set([found, connection]))
}

function removeFrom(map: Map<string, Members>, key: string, connection: Connection): void {
  const found = map.get(key)
  if (found === connection) map.delete(key)
  else if (found instanceof Set && found.delete(connection)) {
    // Back to a lone connection, so a room that shrinks stops paying for its Set.
    if (found.size === 1) map.set(key, found.values().next().value as Connection)
    else if (found.size === 0) map.delete(key)
  }
}
