import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { subscribe } from '../../src/runtime/server/utils/sse'
import { startTestServer, type TestServer } from './helpers/app'
import { json, openRaw, type RawStream } from './helpers/sse-client'

// No hook mock here: the hooks the runtime installs before the migration writes the app's own.
let server: TestServer
const streams: RawStream[] = []

beforeEach(async () => {
  server = await startTestServer()
})

afterEach(async () => {
  for (const s of streams.splice(0)) s.close()
  await server.close()
})

describe('the default sse-hooks', () => {
  it('authenticate the user the app’s auth middleware put on event.context, and nobody else', async () => {
    const ok = await openRaw(`${server.url}/api/chat/events`, { authorization: 'Bearer token-5' })
    const anonymous = await openRaw(`${server.url}/api/chat/events`)
    streams.push(ok, anonymous)
    expect(json<{ userId: number }>(await ok.next((f) => f.event === 'connected')).userId).toBe(5)
    expect(anonymous.status).toBe(401)
  })

  it('let subscribe() add only the user’s own channel until the app allows more', async () => {
    const stream = await openRaw(`${server.url}/api/chat/events`, { authorization: 'Bearer token-5' })
    streams.push(stream)
    const { connectionId } = json<{ connectionId: string }>(await stream.next((f) => f.event === 'connected'))
    await subscribe(connectionId, 'user:5', { userId: 5 })
    await expect(subscribe(connectionId, 'room:1', { userId: 5 })).rejects.toMatchObject({ statusCode: 403 })
  })

  it('let a route that ran the app\'s own access check subscribe without asking canSubscribe again, still only its own connection', async () => {
    const stream = await openRaw(`${server.url}/api/chat/events`, { authorization: 'Bearer token-5' })
    streams.push(stream)
    const { connectionId } = json<{ connectionId: string }>(await stream.next((f) => f.event === 'connected'))
    await subscribe(connectionId, 'room:1', { userId: 5 }, { accessChecked: true })
    await expect(subscribe(connectionId, 'room:2', { userId: 6 }, { accessChecked: true })).rejects.toMatchObject({ statusCode: 403 })
  })
})
