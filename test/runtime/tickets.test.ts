import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { closeUserStreams, configureSSE } from '../../src/runtime/server/utils/sse'
import { clearConfigOverrides, resolveConfig } from '../../src/runtime/server/sse/config'
import { SSERuntime, useSSERuntime } from '../../src/runtime/server/sse/runtime'
import { createTicket } from '../../src/runtime/server/sse/ticket'
import { redisSkipReason, startRedis, type RedisHandle } from '../helpers/redis'
import { startTestServer, type TestServer } from './helpers/app'
import { startInstance, type Instance } from './helpers/instance'
import { json, openRaw, type RawStream } from './helpers/sse-client'

vi.mock('../../src/runtime/server/utils/sse-hooks', () => import('./helpers/hooks'))

const streams: RawStream[] = []

async function openAt(url: string, query: string, headers: Record<string, string> = {}): Promise<RawStream> {
  const stream = await openRaw(`${url}/api/chat/events${query}`, headers)
  streams.push(stream)
  return stream
}

async function connectionIdOf(stream: RawStream): Promise<string> {
  expect(stream.status).toBe(200)
  return json<{ connectionId: string }>(await stream.next((f) => f.event === 'connected')).connectionId
}

function refusedWith(stream: RawStream, message: string): void {
  expect(stream.status).toBe(401)
  expect(JSON.parse(stream.body)).toMatchObject({ statusCode: 401, message })
}

/** Other spellings of the same bytes: base64url decoding ignores the unused low bits of the last character. */
function sameBytesOtherText(ticket: string): string[] {
  const bytes = Buffer.from(ticket, 'base64url')
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  const variants = [...alphabet].map((c) => ticket.slice(0, -1) + c).concat(`${ticket}=`, `${ticket}==`)
  return variants.filter((text) => text !== ticket && Buffer.from(text, 'base64url').equals(bytes))
}

afterEach(() => {
  for (const s of streams.splice(0)) s.close()
})

describe('stream tickets and connection ids (one instance)', () => {
  let server: TestServer
  const ticketFor = async (userId: number): Promise<string> => {
    const res = await fetch(`${server.url}/api/chat/events/ticket`, { method: 'POST', headers: { authorization: `Bearer token-${userId}` } })
    return ((await res.json()) as { ticket: string }).ticket
  }
  const open = (query: string, headers?: Record<string, string>) => openAt(server.url, query, headers)

  beforeEach(async () => {
    server = await startTestServer({ heartbeatMs: 0 })
  })
  afterEach(async () => {
    await server.close()
  })

  it('opens one stream per ticket: the same URL used again is refused, so a logged URL cannot take over a live stream', async () => {
    const ticket = await ticketFor(1)
    const first = await open(`?ticket=${ticket}`)
    const id = await connectionIdOf(first)
    // What an attacker copies from an access log: the victim's ticket and its resume id.
    refusedWith(await open(`?ticket=${ticket}&resume=${encodeURIComponent(id)}`), 'Ticket already used')
    refusedWith(await open(`?ticket=${ticket}`), 'Ticket already used')
    expect(first.isEnded()).toBe(false)
    expect(useSSERuntime().hub.userConnections('1').map((c) => c.id)).toEqual([id])
  })

  it('refuses a ticket spelled in a non-canonical encoding of the same bytes', async () => {
    const ticket = await ticketFor(1)
    const variants = sameBytesOtherText(ticket)
    expect(variants.length).toBeGreaterThan(0)
    for (const variant of variants) refusedWith(await open(`?ticket=${encodeURIComponent(variant)}`), 'Malformed ticket')
    // Unused by all of the above, so it still opens.
    expect((await open(`?ticket=${ticket}`)).status).toBe(200)
  })

  it('resumes only a connection of the ticket’s own user', async () => {
    const victim = await open(`?ticket=${await ticketFor(1)}`)
    const victimId = await connectionIdOf(victim)
    victim.close()
    await vi.waitFor(() => expect(useSSERuntime().hub.connections.size).toBe(0))
    const intruder = await open(`?ticket=${await ticketFor(2)}&resume=${encodeURIComponent(victimId)}`)
    expect(await connectionIdOf(intruder)).not.toBe(victimId)
    expect(json<{ resumed: boolean }>(intruder.frames[0]!).resumed).toBe(false)
  })

  it('closeUserStreams ends the user’s streams, refuses their earlier tickets and resumes, and leaves other users alone', async () => {
    const stream = await open(`?ticket=${await ticketFor(4)}`)
    const id = await connectionIdOf(stream)
    const other = await open(`?ticket=${await ticketFor(3)}`)
    await connectionIdOf(other)
    const unused = await ticketFor(4)
    await new Promise((r) => setTimeout(r, 5))

    await closeUserStreams(4)
    await stream.ended
    refusedWith(await open(`?ticket=${unused}`), 'Ticket revoked')
    expect(await useSSERuntime().broker.loadSession(id)).toBeUndefined()
    expect(other.isEnded()).toBe(false)

    // Logging in again works, but the old connection's session is gone.
    await new Promise((r) => setTimeout(r, 5))
    const again = await open(`?ticket=${await ticketFor(4)}&resume=${encodeURIComponent(id)}`)
    expect(await connectionIdOf(again)).not.toBe(id)
  })

  it('takes a connection id from x-sse-connection-id only when it belongs to the caller', async () => {
    const a = await open('', { authorization: 'Bearer token-1' })
    const aId = await connectionIdOf(a)
    const echo = (userId: number, connectionId: string) =>
      fetch(`${server.url}/api/chat/echo`, {
        method: 'POST',
        headers: { authorization: `Bearer token-${userId}`, 'x-sse-connection-id': connectionId, 'content-type': 'application/json' },
        body: JSON.stringify({ n: 1 }),
      }).then((res) => res.json() as Promise<{ connectionId: string | null }>)

    // User 2 sends A's id: it is not theirs, so no reply reaches A (nor would `except` skip A).
    expect(await echo(2, aId)).toEqual({ connectionId: null })
    // A tampered id of user 1 is not theirs either.
    expect(await echo(1, `${aId.slice(0, -1)}${aId.endsWith('A') ? 'B' : 'A'}`)).toEqual({ connectionId: null })
    expect(await echo(1, aId)).toEqual({ connectionId: aId })
    const frame = await a.next((f) => f.event === 'echo')
    expect(json<{ user: { id: number } }>(frame).user.id).toBe(1)
    expect(a.frames.filter((f) => f.event === 'echo')).toHaveLength(1)
  })
})

describe('ticket secret', () => {
  afterEach(() => clearConfigOverrides())

  it('refuses a weak secret, and several instances (Redis) without a shared one, at start', () => {
    expect(() => configureSSE({ ticketSecret: 'changeme' })).toThrow(/at least 32 characters/)
    clearConfigOverrides()
    expect(() => configureSSE({ ticketSecret: 'a'.repeat(40) })).toThrow(/repeats a few characters/)
    clearConfigOverrides()
    expect(() => new SSERuntime({ ...resolveConfig({}), redisUrl: 'redis://127.0.0.1:1' })).toThrow(/share one ticket secret/)
    // One instance without a secret is fine: a random one per process.
    expect(() => new SSERuntime({ ...resolveConfig({}), ticketSecret: '' })).not.toThrow()
  })
})

const skip = redisSkipReason()

describe.skipIf(skip)('stream tickets across instances (Redis)', () => {
  let redis: RedisHandle
  let prefix = 0
  const instances: Instance[] = []
  const secret = 'a-secret-shared-by-every-instance-here'

  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(async () => {
    await redis?.stop()
  })
  afterEach(async () => {
    for (const s of streams.splice(0)) s.close()
    for (const i of instances.splice(0)) await i.close()
  })

  async function twoInstances(): Promise<[Instance, Instance]> {
    const shared = { redisUrl: redis.url, redisPrefix: `tk${++prefix}`, heartbeatMs: 0, ticketSecret: secret }
    const pair = [await startInstance(shared), await startInstance(shared)] as [Instance, Instance]
    instances.push(...pair)
    return pair
  }

  it('refuses a ticket on B once it opened a stream on A', async () => {
    const [a, b] = await twoInstances()
    const { ticket } = createTicket({ id: 1 }, 60_000, secret)
    await connectionIdOf(await openAt(a.url, `?ticket=${ticket}`))
    refusedWith(await openAt(b.url, `?ticket=${ticket}`), 'Ticket already used')
  })

  it('closeUserStreams on A ends the user’s stream on B and refuses their earlier tickets everywhere', async () => {
    const [a, b] = await twoInstances()
    const onB = await openAt(b.url, `?ticket=${createTicket({ id: 4 }, 60_000, secret).ticket}`)
    await connectionIdOf(onB)
    const unused = createTicket({ id: 4 }, 60_000, secret).ticket
    await new Promise((r) => setTimeout(r, 5))
    await a.runtime.closeUserStreams(4)
    await onB.ended
    refusedWith(await openAt(b.url, `?ticket=${unused}`), 'Ticket revoked')
  })
})
