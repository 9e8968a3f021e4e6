import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { emitToRoom, emitToUser } from '../../src/runtime/server/utils/sse'
import { useSSERuntime } from '../../src/runtime/server/sse/runtime'
import { startTestServer, type TestServer } from './helpers/app'
import { roomsOf } from './helpers/hooks'
import { json, openRaw, type RawStream } from './helpers/sse-client'

vi.mock('../../src/runtime/server/utils/sse-hooks', () => import('./helpers/hooks'))

let server: TestServer
const streams: RawStream[] = []
/** The test hooks' access table is module state: each test changes its own copy of user 1's rooms. */
const savedRooms = [...roomsOf[1]!]

async function connect(userId: number, query = ''): Promise<{ stream: RawStream; connectionId: string; resumed: boolean }> {
  const stream = await openRaw(`${server.url}/api/chat/events${query}`, { authorization: `Bearer token-${userId}` })
  streams.push(stream)
  const info = json<{ connectionId: string; resumed: boolean }>(await stream.next((f) => f.event === 'connected'))
  return { stream, ...info }
}

beforeEach(async () => {
  server = await startTestServer({ heartbeatMs: 0 })
})

afterEach(async () => {
  roomsOf[1] = [...savedRooms]
  for (const s of streams.splice(0)) s.close()
  await server.close()
})

describe('resume re-checks restored channels', () => {
  it('drops a room the user lost access to while away; the user channel keeps working', async () => {
    const first = await connect(1)
    const res = await fetch(`${server.url}/api/chat/join`, {
      method: 'POST',
      headers: { authorization: 'Bearer token-1', 'content-type': 'application/json', 'x-sse-connection-id': first.connectionId },
      body: JSON.stringify({ channel: 'room:2' }),
    })
    expect(res.status).toBe(200)
    await emitToRoom(2, 'before')
    await first.stream.next((f) => f.event === 'before')

    // Removed from room 2 (canSubscribe now refuses it), then the stream drops and resumes.
    roomsOf[1] = roomsOf[1]!.filter((room) => room !== 2)
    first.stream.close()
    await vi.waitFor(() => expect(useSSERuntime().hub.connections.has(first.connectionId)).toBe(false))
    await vi.waitFor(async () => expect(await useSSERuntime().broker.loadSession(first.connectionId)).toBeDefined())

    const again = await connect(1, `?resume=${first.connectionId}`)
    expect(again.connectionId).toBe(first.connectionId)
    expect(again.resumed).toBe(true)

    await emitToRoom(2, 'secret')
    await emitToRoom(1, 'still_in_room_1')
    await emitToUser(1, 'done')
    await again.stream.next((f) => f.event === 'done')
    expect(again.stream.frames.map((f) => f.event)).toEqual(['connected', 'still_in_room_1', 'done'])
    expect([...useSSERuntime().hub.connections.get(again.connectionId)!.channels].sort()).toEqual(['room:1', 'user:1'])
    // The saved session no longer carries the room either, so the next resume does not need the check to hold.
    expect((await useSSERuntime().broker.loadSession(again.connectionId))?.channels).not.toContain('room:2')
  })

  it('keeps restored channels canSubscribe still allows', async () => {
    const first = await connect(1)
    await fetch(`${server.url}/api/chat/join`, {
      method: 'POST',
      headers: { authorization: 'Bearer token-1', 'content-type': 'application/json', 'x-sse-connection-id': first.connectionId },
      body: JSON.stringify({ channel: 'room:2' }),
    })
    first.stream.close()
    await vi.waitFor(() => expect(useSSERuntime().hub.connections.has(first.connectionId)).toBe(false))
    await vi.waitFor(async () => expect(await useSSERuntime().broker.loadSession(first.connectionId)).toBeDefined())

    const again = await connect(1, `?resume=${first.connectionId}`)
    await emitToRoom(2, 'in_room_2')
    await again.stream.next((f) => f.event === 'in_room_2')
  })
})
