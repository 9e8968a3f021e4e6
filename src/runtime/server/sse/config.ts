/**
 * Runtime settings of the SSE layer. Read from `NUXT_SSE_*` env vars, then overridden by
 * `configureSSE()` (the Nitro plugin passes `useRuntimeConfig().sse`). Read once when the runtime
 * starts; change them before the first stream opens or emit runs.
 */
export interface SSEConfig {
  /** Comment line sent to every open stream this often, so proxies keep it open. */
  heartbeatMs: number
  /** `retry:` hint for EventSource reconnects. */
  retryMs: number
  /** The replay log keeps at most this many events... */
  logMaxEvents: number
  /** ...and none older than this. */
  logMaxAgeMs: number
  /** How long a closed connection's joined channels are remembered for a resume. */
  sessionTtlMs: number
  /** Bytes a connection may have waiting to be written; beyond that the client is dropped (it resumes from its cursor). */
  maxQueueBytes: number
  /** Open streams per user on one instance; the oldest is closed when a new one exceeds it. */
  maxConnectionsPerUser: number
  /** Secret that seals stream tickets and connection ids: at least 32 characters, the same on every instance. Random per process when empty (one instance only). */
  ticketSecret: string
  ticketTtlMs: number
  /** Largest serialised event an emit accepts; a bigger one throws to the emitting code. Must stay below `maxQueueBytes`. */
  maxEventBytes: number
  /** Bytes one replay may send; a client further behind gets `reset` (reload its state) instead. */
  maxReplayBytes: number
  /** Bytes of event data the in-memory log keeps (besides `logMaxEvents` and `logMaxAgeMs`). */
  logMaxBytes: number
  /** Channels one connection may be in. */
  maxChannelsPerConnection: number
  /** Longest channel name `subscribe` accepts. */
  maxChannelNameLength: number
  /** Closed connections' sessions the in-memory broker keeps for a resume; the oldest go first. */
  maxSessions: number
  /** Log entries replays may read per user per minute; beyond that a reconnect with a cursor is answered 429. */
  replayEntriesPerMinute: number
  /** Largest request body the generated event routes read (`readChatBody`), in bytes: 413 beyond. */
  maxBodyBytes: number
  /** Accept `?token=` on the stream (it ends up in access logs). */
  allowQueryToken: boolean
  /** `redis://...`: use the Redis broker (several instances). Empty: the in-memory broker. */
  redisUrl: string
  /** Prefix of every Redis key the runtime uses. */
  redisPrefix: string
}

export const defaultSSEConfig: Readonly<SSEConfig> = Object.freeze({
  heartbeatMs: 15_000,
  retryMs: 3_000,
  logMaxEvents: 10_000,
  logMaxAgeMs: 5 * 60_000,
  sessionTtlMs: 5 * 60_000,
  maxQueueBytes: 1024 * 1024,
  maxConnectionsPerUser: 10,
  ticketSecret: '',
  ticketTtlMs: 60_000,
  maxEventBytes: 256 * 1024,
  maxReplayBytes: 4 * 1024 * 1024,
  logMaxBytes: 64 * 1024 * 1024,
  maxChannelsPerConnection: 1000,
  maxChannelNameLength: 256,
  maxSessions: 100_000,
  replayEntriesPerMinute: 100_000,
  maxBodyBytes: 1024 * 1024,
  allowQueryToken: false,
  redisUrl: '',
  redisPrefix: 'sse',
})

type Key = keyof SSEConfig

/** `heartbeatMs` → `NUXT_SSE_HEARTBEAT_MS`, the name Nuxt itself maps to `runtimeConfig.sse.heartbeatMs`. */
export function envName(key: Key): string {
  return 'NUXT_SSE_' + key.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase()
}

function coerce(key: Key, value: unknown): SSEConfig[Key] | undefined {
  if (value === undefined || value === null || value === '') return undefined
  const kind = typeof defaultSSEConfig[key]
  if (kind === 'number') {
    const n = Number(value)
    if (!Number.isFinite(n) || n < 0) throw new Error(`[sse] ${key} must be a non-negative number, got ${String(value)}`)
    return n
  }
  if (kind === 'boolean') return value === true || value === 'true' || value === '1'
  return String(value)
}

function merge(base: SSEConfig, source: Partial<Record<Key, unknown>>): SSEConfig {
  const next = { ...base } as Record<Key, unknown>
  for (const key of Object.keys(defaultSSEConfig) as Key[]) {
    const value = coerce(key, source[key])
    if (value !== undefined) next[key] = value
  }
  return next as unknown as SSEConfig
}

function fromEnv(env: NodeJS.ProcessEnv): Partial<Record<Key, unknown>> {
  const out: Partial<Record<Key, unknown>> = {}
  for (const key of Object.keys(defaultSSEConfig) as Key[]) out[key] = env[envName(key)]
  return out
}

let overrides: Partial<Record<Key, unknown>> = {}

/** Set runtime options (merged over env and defaults). Call before the first stream or emit. */
export function setConfigOverrides(options: Partial<SSEConfig> | undefined): void {
  overrides = { ...overrides, ...(options ?? {}) }
}

export function clearConfigOverrides(): void {
  overrides = {}
}

export function resolveConfig(env: NodeJS.ProcessEnv = process.env): SSEConfig {
  return merge(merge({ ...defaultSSEConfig }, fromEnv(env)), overrides)
}

/** A secret shorter than this is refused: tickets sealed under a short one can be brute-forced offline. */
export const MIN_SECRET_LENGTH = 32

const SECRET_HINT = `set ${envName('ticketSecret')} (runtimeConfig.sse.ticketSecret) to a random string of at least ${MIN_SECRET_LENGTH} characters, the same on every instance, e.g. the output of \`openssl rand -base64 32\``

/**
 * Settings the runtime cannot run safely with; thrown when it starts, so a bad deploy fails at boot.
 * `redis`: events go through Redis, so other instances may serve the same users and need the secret.
 */
export function assertUsableConfig(config: SSEConfig, redis = config.redisUrl !== ''): void {
  const secret = config.ticketSecret
  if (secret && secret.length < MIN_SECRET_LENGTH) {
    throw new Error(`[sse] the ticket secret is ${secret.length} characters long; ${SECRET_HINT}`)
  }
  if (secret && new Set(secret).size < 8) throw new Error(`[sse] the ticket secret repeats a few characters; ${SECRET_HINT}`)
  if (!secret && redis) {
    throw new Error(`[sse] the Redis broker serves several instances, which must share one ticket secret; ${SECRET_HINT}`)
  }
  if (config.maxEventBytes * 2 > config.maxQueueBytes) {
    throw new Error(`[sse] maxEventBytes (${config.maxEventBytes}) must be at most half of maxQueueBytes (${config.maxQueueBytes}), or one event would drop its recipients`)
  }
}
