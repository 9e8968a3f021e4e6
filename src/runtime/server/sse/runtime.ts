import { createError } from 'h3'
import type { Broker, BrokerSink } from './broker'
import { assertUsableConfig, resolveConfig, type SSEConfig } from './config'
import { assertEventName, assertNotReserved, serialiseData } from './frame'
import { Hub } from './hub'
import { MemoryBroker } from './memory-broker'
import { ReplayAllowance } from './replay-allowance'
import type { SSEUser, SessionState, Target, UserId } from './types'

/** Builds the Redis broker. Registered by `server/plugins/sse-redis.ts`, which is installed only in apps that use Redis. */
export type BrokerFactory = (config: SSEConfig, sink: BrokerSink) => Broker

let redisFactory: BrokerFactory | undefined
let redisAlwaysOn = false

/**
 * Makes the Redis broker available. It is used when `redisUrl` is set, or always with `appRedis`: the
 * factory connects through the app's own Redis client, so the app's Redis settings are the broker's.
 */
export function registerRedisBroker(factory: BrokerFactory, options: { appRedis?: boolean } = {}): void {
  redisFactory = factory
  redisAlwaysOn = options.appRedis === true
}

/** Whether this instance shares its events through Redis (and so with other instances). */
export function usesRedis(config: SSEConfig): boolean {
  return config.redisUrl !== '' || (redisAlwaysOn && redisFactory !== undefined)
}

export function userKey(id: UserId): string {
  return String(id)
}

/** The SSE layer of this instance: settings, the local connections and the broker. */
export class SSERuntime {
  readonly hub: Hub
  readonly broker: Broker
  readonly replayAllowance: ReplayAllowance
  /** Set by close(): streams ending now keep the session saved while they were open (the broker is going away). */
  closing = false

  constructor(readonly config: SSEConfig) {
    assertUsableConfig(config, usesRedis(config))
    this.replayAllowance = new ReplayAllowance(config.replayEntriesPerMinute)
    this.hub = new Hub(config.heartbeatMs, (ids) => {
      this.broker.touchSessions(ids).catch((error: unknown) => logError('refreshing sessions', error))
    })
    this.broker = this.createBroker()
  }

  private createBroker(): Broker {
    if (!usesRedis(this.config)) return new MemoryBroker(this.config, this.hub)
    if (!redisFactory) {
      throw new Error('[sse] NUXT_SSE_REDIS_URL is set but the Redis broker is not installed (server/plugins/sse-redis.ts registers it)')
    }
    return redisFactory(this.config, this.hub)
  }

  /**
   * Validate, serialise once, publish. Never rejects: emits replace fire-and-forget `io.emit` calls.
   * A reserved name (`RESERVED_EVENTS`) and data over `maxEventBytes` throw synchronously instead,
   * so the calling code sees them even when nothing awaits the promise: such an event could never
   * be delivered (a too big one would drop every recipient's stream, and again on each reconnect).
   */
  emit(event: string, data: unknown, target: Target): Promise<void> {
    assertNotReserved(event)
    const text = serialiseData(data)
    const bytes = Buffer.byteLength(text)
    if (bytes > this.config.maxEventBytes) {
      throw new RangeError(`[sse] cannot emit ${JSON.stringify(event)}: its data is ${bytes} bytes as JSON, over maxEventBytes (${this.config.maxEventBytes}); send a link or an id and let the client fetch the rest`)
    }
    return this.publish(event, text, target)
  }

  private async publish(event: string, text: string, target: Target): Promise<void> {
    try {
      assertEventName(event)
      await this.broker.publish(event, text, target)
    } catch (error) {
      logError(`emitting ${JSON.stringify(event)}`, error)
    }
  }

  /**
   * Log a user out of the SSE layer: every stream of theirs ends on every instance, their sessions
   * are not kept for a resume, and the tickets issued to them until now stop working.
   */
  async closeUserStreams(userId: UserId): Promise<void> {
    const key = userKey(userId)
    await this.broker.revokeTickets(key, Date.now())
    this.hub.closeUser(key)
    if (this.broker.kind !== 'memory') await this.broker.sendControl({ op: 'close-user', userKey: key })
  }

  /**
   * Change a connection's channels, wherever it is open. Only the connection's own user may, and
   * only for channels `canSubscribe` allows; the change is saved so a resume keeps it.
   */
  async changeSubscription(
    op: 'subscribe' | 'unsubscribe',
    connectionId: string,
    channels: string[],
    owner: { userId: UserId },
    canSubscribe: (user: SSEUser, channel: string) => Promise<boolean>,
  ): Promise<void> {
    const local = this.hub.connections.get(connectionId)
    const session: SessionState | undefined = local
      ? { connectionId, user: local.user, channels: [...local.channels] }
      : await this.broker.loadSession(connectionId)
    if (!session || userKey(session.user.id) !== userKey(owner.userId)) {
      throw createError({ statusCode: 403, statusMessage: 'Forbidden', message: 'Not your SSE connection' })
    }
    const tooLong = channels.find((channel) => typeof channel !== 'string' || channel.length > this.config.maxChannelNameLength)
    if (tooLong !== undefined) {
      throw createError({ statusCode: 400, statusMessage: 'Bad Request', message: `Channel names are strings of at most ${this.config.maxChannelNameLength} characters` })
    }
    if (op === 'subscribe' && new Set([...session.channels, ...channels]).size > this.config.maxChannelsPerConnection) {
      throw createError({ statusCode: 400, statusMessage: 'Bad Request', message: `A connection can be in at most ${this.config.maxChannelsPerConnection} channels` })
    }
    if (op === 'subscribe') {
      for (const channel of channels) {
        if (!(await canSubscribe(session.user, channel))) {
          throw createError({ statusCode: 403, statusMessage: 'Forbidden', message: `Not allowed to join ${channel}` })
        }
      }
    }
    const next = new Set(session.channels)
    for (const channel of channels) {
      if (op === 'subscribe') next.add(channel)
      else next.delete(channel)
    }
    await this.broker.saveSession({ ...session, channels: [...next] })
    if (local) {
      if (op === 'subscribe') this.hub.join(local, channels)
      else this.hub.leave(local, channels)
    } else {
      await this.broker.sendControl({ op, connectionId, channels })
    }
  }

  /** Close every stream now (clients reconnect elsewhere and resume), then the broker. */
  async close(): Promise<void> {
    this.closing = true
    this.hub.closeAll()
    await this.broker.close()
  }
}

let current: SSERuntime | undefined

/** The runtime of this process, created on first use from the resolved config. */
export function useSSERuntime(): SSERuntime {
  return (current ??= new SSERuntime(resolveConfig()))
}

export function hasSSERuntime(): boolean {
  return current !== undefined
}

/** Close streams and broker; the next use starts a fresh runtime (with the config at that time). */
export async function closeSSERuntime(): Promise<void> {
  const closing = current
  current = undefined
  await closing?.close()
}

export function logError(what: string, error: unknown): void {
  console.error(`[sse] error ${what}:`, error instanceof Error ? error.message : error)
}
