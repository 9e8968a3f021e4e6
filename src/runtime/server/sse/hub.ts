import type { BrokerSink, ControlMessage } from './broker'
import type { Connection } from './connection'
import { HEARTBEAT, encodeCursor, encodeEvent, isEntitled } from './frame'
import type { LogEntry, Target } from './types'

/**
 * The connections open on this instance, indexed by channel and user. Each event is encoded once
 * and the same Buffer is written to every connection entitled to it.
 */
export class Hub implements BrokerSink {
  readonly connections = new Map<string, Connection>()
  readonly byChannel = new Map<string, Set<Connection>>()
  readonly byUser = new Map<string, Set<Connection>>()
  private heartbeat: NodeJS.Timeout | undefined

  constructor(
    private readonly heartbeatMs: number,
    private readonly onHeartbeat: (connectionIds: string[]) => void,
  ) {}

  add(connection: Connection): void {
    this.connections.set(connection.id, connection)
    addTo(this.byUser, connection.userKey, connection)
    this.join(connection, [...connection.channels])
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
    for (const channel of channels) {
      connection.channels.add(channel)
      if (this.connections.get(connection.id) === connection) addTo(this.byChannel, channel, connection)
    }
  }

  leave(connection: Connection, channels: string[]): void {
    for (const channel of channels) {
      connection.channels.delete(channel)
      removeFrom(this.byChannel, channel, connection)
    }
  }

  userConnections(userKey: string): Connection[] {
    return [...(this.byUser.get(userKey) ?? [])]
  }

  deliver(entry: LogEntry, deliveredEarlier: boolean): void {
    const recipients = this.recipients(entry.target)
    if (recipients.length === 0) return
    const chunk = Buffer.from(deliveredEarlier ? encodeCursor(entry.id) : encodeEvent(entry))
    for (const connection of recipients) connection.send(chunk, entry.id)
  }

  deliverUnlogged(event: string, data: string, target: Target): void {
    const recipients = this.recipients(target)
    if (recipients.length === 0) return
    const chunk = Buffer.from(`event: ${event}\ndata: ${data}\n\n`)
    for (const connection of recipients) connection.send(chunk, undefined)
  }

  control(message: ControlMessage): void {
    const connection = this.connections.get(message.connectionId)
    if (!connection) return
    if (message.op === 'subscribe') this.join(connection, message.channels)
    else this.leave(connection, message.channels)
  }

  closeAll(): void {
    for (const connection of [...this.connections.values()]) {
      connection.close()
      this.remove(connection)
    }
  }

  private recipients(target: Target): Connection[] {
    if (target.kind === 'connection') {
      const one = this.connections.get(target.connectionId)
      return one ? [one] : []
    }
    if (target.kind === 'broadcast') {
      return [...this.connections.values()].filter((c) => isEntitled(target, c.id, c.channels))
    }
    const found = new Set<Connection>()
    for (const channel of target.channels) {
      for (const connection of this.byChannel.get(channel) ?? []) {
        if (!target.except.includes(connection.id)) found.add(connection)
      }
    }
    return [...found]
  }

  private beat(): void {
    const chunk = Buffer.from(HEARTBEAT)
    for (const connection of this.connections.values()) connection.send(chunk)
    this.onHeartbeat([...this.connections.keys()])
  }
}

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key)
  if (!set) map.set(key, (set = new Set()))
  set.add(value)
}

function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key)
  if (!set) return
  set.delete(value)
  if (set.size === 0) map.delete(key)
}
