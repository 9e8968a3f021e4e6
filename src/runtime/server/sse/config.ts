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
  /** Secret that seals stream tickets. Must be the same on every instance; random per process when empty. */
  ticketSecret: string
  ticketTtlMs: number
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
