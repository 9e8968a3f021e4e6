import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { emitToRoom, emitToUser } from '../../src/runtime/server/utils/sse'
import { createTicket } from '../../src/runtime/server/sse/ticket'
import { useSSERuntime } from '../../src/runtime/server/sse/runtime'
import { startTestServer, TEST_SECRET, type TestServer } from './helpers/app'
import { json, openRaw, type RawStream } from './helpers/sse-client'

vi.mock('../../src/runtime/server/utils/sse-hooks', () => import('./helpers/hooks'))

let server: TestServer
const streams: RawStream[] = []

async function open(query = '', headers: Record<string, string> = {}): Promise<RawStream> {
  const stream = await openRaw(`${server.url}/api/chat/events${query}`, headers)
  streams.push(stream)
  return stream
}

async function ticketFor(userId: number): Promise<{ ticket: string; expiresAt: number }> {
  const res = await fetch(`${server.url}/api/chat/events/ticket`, { method: 'POST', headers: { authorization: `Bearer token-${userId}` } })
  expect(res.status).toBe(200)
  expect(res.headers.get('cache-control')).toBe('no-store')
  return (await res.json()) as { ticket: string; expiresAt: number }
}

function expectRefused(stream: RawStream): void {
  expect(stream.status).toBe(401)
  expect(stream.headers['content-type']).toMatch(/^application\/json/)
  expect(JSON.parse(stream.body)).toMatchObject({ statusCode: 401 })
  expect(useSSERuntime().hub.connections.size).toBe(0)
}

beforeEach(async () => {
  server = await startTestServer()
})

afterEach(async () => {
  for (const s of streams.splice(0)) s.close()
  await server.close()
})

describe('stream authentication', () => {
  it('opens with a ticket from the authenticated POST, a cookie or an Authorization header', async () => {
    const { ticket, expiresAt } = await ticketFor(4)
    expect(expiresAt - Date.now()).toBeGreaterThan(50_000)
    // The user's fields do not travel readably in the URL (access logs).
    expect(Buffer.from(ticket, 'base64url').toString('latin1')).not.toContain('user 4')
    for (const stream of [
      await open(`?ticket=${encodeURIComponent(ticket)}`),
      await open('', { cookie: 'session=token-4' }),
      await open('', { authorization: 'Bearer token-4' }),
    ]) {
      expect(stream.status).toBe(200)
      expect(json<{ userId: number }>(await stream.next((f) => f.event === 'connected')).userId).toBe(4)
    }
    await emitToUser(4, 'hello')
    for (const stream of streams) await stream.next((f) => f.event === 'hello')
  })

  it('answers 401 JSON and opens no stream for missing, wrong, forged and expired credentials', async () => {
    const { ticket } = await ticketFor(4)
    const raw = Buffer.from(ticket, 'base64url')
    const flipped = Buffer.from(raw)
    flipped[flipped.length - 1]! ^= 1 // one bit of the sealed payload
    const plain = Buffer.from(JSON.stringify({ user: { id: 1 }, exp: Date.now() + 60_000 })).toString('base64url')
    expectRefused(await open())
    expectRefused(await open('', { authorization: 'Bearer wrong' }))
    expectRefused(await open('?ticket=garbage'))
    expectRefused(await open(`?ticket=${plain}`))
    expectRefused(await open(`?ticket=${flipped.toString('base64url')}`))
    expectRefused(await open(`?ticket=${raw.subarray(0, 20).toString('base64url')}`))
    expectRefused(await open(`?ticket=${createTicket({ id: 4 }, 60_000, 'another-secret').ticket}`))
    expectRefused(await open(`?ticket=${createTicket({ id: 4 }, -1, TEST_SECRET).ticket}`))
    const denied = await fetch(`${server.url}/api/chat/events/ticket`, { method: 'POST' })
    expect(denied.status).toBe(401)
  })

  it('refuses ?token= unless allowQueryToken is configured', async () => {
    expectRefused(await open('?token=token-4'))
    await server.close()
    server = await startTestServer({ allowQueryToken: true })
    const stream = await open('?token=token-4')
    expect(stream.status).toBe(200)
  })

  it('expires tickets after ticketTtlMs', async () => {
    await server.close()
    server = await startTestServer({ ticketTtlMs: 150 })
    const { ticket } = await ticketFor(4)
    await new Promise((r) => setTimeout(r, 300))
    expectRefused(await open(`?ticket=${encodeURIComponent(ticket)}`))
  })

  it('caps the streams of one user, closing the oldest', async () => {
    await server.close()
    server = await startTestServer({ maxConnectionsPerUser: 2 })
    const first = await open('', { authorization: 'Bearer token-4' })
    await open('', { authorization: 'Bearer token-4' })
    await open('', { authorization: 'Bearer token-4' })
    await first.ended
    expect(useSSERuntime().hub.userConnections('4')).toHaveLength(2)
  })
})

describe('subscribe', () => {
  async function connect(userId: number): Promise<{ stream: RawStream; connectionId: string }> {
    const stream = await open('', { authorization: `Bearer token-${userId}` })
    return { stream, connectionId: json<{ connectionId: string }>(await stream.next((f) => f.event === 'connected')).connectionId }
  }
  const join = (userId: number, body: object) =>
    fetch(`${server.url}/api/chat/join`, {
      method: 'POST',
      headers: { authorization: `Bearer token-${userId}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })

  it('joins an allowed room for the caller’s own connection', async () => {
    const a = await connect(1)
    const res = await fetch(`${server.url}/api/chat/join`, {
      method: 'POST',
      headers: { authorization: 'Bearer token-1', 'content-type': 'application/json', 'x-sse-connection-id': a.connectionId },
      body: JSON.stringify({ channel: 'room:2' }),
    })
    expect(res.status).toBe(200)
    await emitToRoom(2, 'in_room_2')
    await a.stream.next((f) => f.event === 'in_room_2')
  })

  it('refuses another user’s connection and rooms the user may not join, with 403', async () => {
    const a = await connect(1)
    const b = await connect(2)
    expect((await join(2, { connectionId: a.connectionId, channel: 'room:1' })).status).toBe(403)
    expect((await join(2, { connectionId: b.connectionId, channel: 'room:2' })).status).toBe(403)
    expect((await join(2, { connectionId: b.connectionId, channel: 'user:1' })).status).toBe(403)
    expect((await join(2, { connectionId: 'no-such-connection', channel: 'room:1' })).status).toBe(403)
    await emitToRoom(2, 'secret')
    await emitToUser(1, 'secret')
    await emitToUser(2, 'done')
    await b.stream.next((f) => f.event === 'done')
    expect(b.stream.frames.map((f) => f.event)).toEqual(['connected', 'done'])
    expect([...useSSERuntime().hub.connections.get(a.connectionId)!.channels].sort()).toEqual(['room:1', 'user:1'])
  })
})
