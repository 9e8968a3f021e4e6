import { EventSource } from 'eventsource'
import { $fetch as ofetch } from 'ofetch'
import { effectScope, type EffectScope } from 'vue'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useSSERuntime } from '../../src/runtime/server/sse/runtime'
import { startTestServer, type TestServer } from './helpers/app'
import { freePort } from '../helpers/ports'

vi.mock('../../src/runtime/server/utils/sse-hooks', () => import('./helpers/hooks'))

type Composable = typeof import('../../src/runtime/app/composables/useChatSSE')

let server: TestServer
let useChatSSE: Composable['useChatSSE']
let ChatSSEHttpError: Composable['ChatSSEHttpError']
const scopes: EffectScope[] = []

function mount<T>(setup: () => T): T {
  const scope = effectScope()
  scopes.push(scope)
  return scope.run(setup)!
}

/** What the app's `$fetch` wrapper saw: each request, and each failure its interceptor handled before rethrowing it. */
interface AppFetchLog {
  requests: { url: string; method?: string; headers: Record<string, string>; body: unknown }[]
  failures: { url: string; statusCode: number | undefined; message: string | undefined }[]
}

/**
 * An auth plugin's replacement of Nuxt's global `$fetch`: ofetch (what Nuxt installs) wrapped so
 * every request and every failed one passes through the app's own code first.
 */
function installAppFetch(): AppFetchLog {
  const log: AppFetchLog = { requests: [], failures: [] }
  const wrapper = async (url: string, options: { method?: string; headers?: Record<string, string>; body?: unknown } = {}) => {
    log.requests.push({ url, method: options.method, headers: { ...options.headers }, body: options.body })
    try {
      return await ofetch(url, options as Parameters<typeof ofetch>[1])
    } catch (error) {
      const failure = error as { statusCode?: number; data?: { message?: string } }
      log.failures.push({ url, statusCode: failure.statusCode, message: failure.data?.message })
      throw error
    }
  }
  vi.stubGlobal('$fetch', wrapper)
  return log
}

const fast = { reconnectDelay: { min: 50, max: 200 } }

beforeEach(async () => {
  server = await startTestServer({ heartbeatMs: 0 })
  vi.stubGlobal('window', globalThis)
  vi.stubGlobal('EventSource', EventSource)
  vi.resetModules()
  ;({ useChatSSE, ChatSSEHttpError } = await import('../../src/runtime/app/composables/useChatSSE'))
})

afterEach(async () => {
  for (const scope of scopes.splice(0)) scope.stop()
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
  await server.close()
})

describe("useChatSSE in a Nuxt app: requests go through the app's $fetch", () => {
  it('sends the ticket request, send() and post() through the $fetch a plugin installed after the handle was created', async () => {
    const chat = mount(() => useChatSSE({ token: () => 'token-1', baseURL: `${server.url}/api/chat`, ...fast }))
    const fetchSpy = vi.spyOn(globalThis, 'fetch')
    // The auth plugin runs later than the composable that created the handle.
    const log = installAppFetch()
    const echoes: { body: unknown }[] = []
    chat.on('echo', (echo) => echoes.push(echo))
    chat.connect()
    await vi.waitFor(() => expect(chat.connected.value).toBe(true))

    const answer = await chat.send<{ connectionId: string }>(`${server.url}/api/chat/echo`, { text: 'sent' })
    expect(answer.connectionId).toBe(chat.connectionId.value)
    const results: unknown[] = []
    chat.post(`${server.url}/api/chat/echo`, { text: 'posted' }, (data) => results.push(data))
    await vi.waitFor(() => expect(results).toHaveLength(1))
    await vi.waitFor(() => expect(echoes.map((e) => e.body)).toEqual([{ text: 'sent' }, { text: 'posted' }]))

    expect(log.requests.map((r) => [r.method, r.url.replace(server.url, '')])).toEqual([
      ['POST', '/api/chat/events/ticket'],
      ['POST', '/api/chat/echo'],
      ['POST', '/api/chat/echo'],
    ])
    expect(log.requests[1]!.headers).toEqual({ Authorization: 'Bearer token-1', 'x-sse-connection-id': chat.connectionId.value })
    // Nothing went around the app's $fetch: every POST that reached fetch was one ofetch made for it.
    const posts = fetchSpy.mock.calls.filter(([, init]) => init?.method === 'POST')
    expect(posts).toHaveLength(log.requests.length)
  })

  it("lets the app's interceptor see a refused request, then rejects with its status and the server's message", async () => {
    const log = installAppFetch()
    const chat = mount(() => useChatSSE({ token: () => 'token-1', baseURL: `${server.url}/api/chat`, ...fast }))
    chat.connect()
    await vi.waitFor(() => expect(chat.connected.value).toBe(true))

    const refused = chat.send(`${server.url}/api/chat/join`, { channel: 'room:4' })
    await expect(refused).rejects.toBeInstanceOf(ChatSSEHttpError)
    await expect(refused).rejects.toMatchObject({ status: 403, statusCode: 403, message: 'Not allowed to join room:4' })
    const errors: unknown[] = []
    chat.on('error', (error) => errors.push(error))
    chat.post(`${server.url}/api/chat/join`, { channel: 'room:3' })
    await vi.waitFor(() => expect(errors).toHaveLength(1))
    expect(errors[0]).toMatchObject({ message: 'Not allowed to join room:3', statusCode: 403 })
    expect(log.failures.map((f) => [f.statusCode, f.message])).toEqual([
      [403, 'Not allowed to join room:4'],
      [403, 'Not allowed to join room:3'],
    ])
  })

  it('stops at a 401 from the ticket request after the interceptor saw it, with the message the app branches on', async () => {
    const log = installAppFetch()
    let token = 'expired'
    const chat = mount(() => useChatSSE({ token: () => token, baseURL: `${server.url}/api/chat`, ...fast }))
    const errors: Error[] = []
    chat.onError((error) => errors.push(error))
    chat.connect()
    await vi.waitFor(() => expect(errors).toHaveLength(1))
    expect(errors[0]).toMatchObject({ status: 401, message: 'Authentication token required' })
    expect(log.failures).toEqual([{ url: `${server.url}/api/chat/events/ticket`, statusCode: 401, message: 'Authentication token required' }])
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(log.requests).toHaveLength(1)

    // The user logs in again: the app calls connect() and the stream opens with the new token.
    token = 'token-2'
    chat.connect()
    await vi.waitFor(() => expect(chat.connected.value).toBe(true))
    expect([...useSSERuntime().hub.connections.values()].map((c) => c.user.id)).toEqual([2])
  })

  it('reports a request that got no answer with status 0, as a network failure', async () => {
    installAppFetch()
    const chat = mount(() => useChatSSE({ token: () => 'token-1', baseURL: `${server.url}/api/chat`, ...fast }))
    const errors: { statusCode: number }[] = []
    chat.on('error', (error) => errors.push(error))
    chat.post(`http://127.0.0.1:${await freePort()}/api/chat/typing`, { roomId: 1 })
    await vi.waitFor(() => expect(errors).toHaveLength(1))
    expect(errors[0]).toMatchObject({ statusCode: 0 })
  })
})
