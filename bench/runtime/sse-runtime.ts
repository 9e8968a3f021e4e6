/**
 * Loads the shipped SSE runtime (src/runtime) at run time. Its files are written for Nitro (bundler
 * resolution, Nitro auto-imports) and type-checked under src/runtime/tsconfig.json, so the bench
 * imports them by URL through tsx instead of compiling them under this repo's NodeNext settings;
 * the interfaces below are the slice of their API the bench uses.
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { H3Event } from 'h3'

export interface SSEUser { id: string | number; [key: string]: unknown }

export interface SSEHooks {
  authenticateSSE(event: H3Event): Promise<SSEUser>
  channelsForConnection(event: H3Event, user: SSEUser): Promise<string[]>
  canSubscribe(user: SSEUser, channel: string): Promise<boolean>
}

export interface RuntimeModules {
  handleEventStream(event: H3Event, hooks: SSEHooks): Promise<void>
  useSSERuntime(): { hub: { connections: Map<string, unknown>; deliver: (...args: unknown[]) => void }; broker: { kind: 'memory' | 'redis' } }
  configureSSE(options: Record<string, unknown>): void
  emitToRoom(room: number | string, event: string, data?: unknown): Promise<void>
  broadcast(event: string, data?: unknown): Promise<void>
}

// SSE_RUNTIME_DIR points at another copy of src/runtime (an earlier commit's, for a side-by-side run);
// it must sit inside this project so that its imports of h3 and ioredis resolve to node_modules.
const serverDir = process.env.SSE_RUNTIME_DIR
  ? pathToFileURL(`${resolve(process.env.SSE_RUNTIME_DIR, 'server')}/`)
  : new URL('../../src/runtime/server/', import.meta.url)

async function load<T>(path: string): Promise<T> {
  return (await import(new URL(path, serverDir).href)) as T
}

export async function loadRuntime(): Promise<RuntimeModules> {
  const [stream, runtime, utils] = await Promise.all([
    load<Pick<RuntimeModules, 'handleEventStream'>>('sse/stream.ts'),
    load<Pick<RuntimeModules, 'useSSERuntime'>>('sse/runtime.ts'),
    load<Pick<RuntimeModules, 'configureSSE' | 'emitToRoom' | 'broadcast'>>('utils/sse.ts'),
  ])
  return {
    handleEventStream: stream.handleEventStream,
    useSSERuntime: runtime.useSSERuntime,
    configureSSE: utils.configureSSE,
    emitToRoom: utils.emitToRoom,
    broadcast: utils.broadcast,
  }
}

const REDIS_PLUGIN = 'plugins/sse-redis.ts'

export function redisBrokerShipped(): boolean {
  return existsSync(fileURLToPath(new URL(REDIS_PLUGIN, serverDir)))
}

/**
 * Run the runtime's Redis plugin the way Nitro does (it registers the Redis broker). Nitro provides
 * `defineNitroPlugin` and `useRuntimeConfig` as auto-imports; outside Nitro the bench supplies them.
 */
export async function installRedisBroker(config: Record<string, unknown>): Promise<void> {
  if (!redisBrokerShipped()) throw new Error(`the runtime has no ${REDIS_PLUGIN} (Redis broker) yet`)
  const globals = globalThis as Record<string, unknown>
  globals.defineNitroPlugin ??= (plugin: unknown) => plugin
  globals.useRuntimeConfig ??= () => ({ sse: config })
  const plugin = await load<{ default: (nitroApp: unknown) => unknown }>(REDIS_PLUGIN)
  const hooks = { hook: () => () => undefined, hookOnce: () => () => undefined }
  await plugin.default({ hooks })
}
