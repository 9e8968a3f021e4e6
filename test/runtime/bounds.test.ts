import { request } from 'node:http'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { emitToUser, subscribe } from '../../src/runtime/server/utils/sse'
import { useSSERuntime } from '../../src/runtime/server/sse/runtime'
import { startTestServer, type TestServer } from './helpers/app'
import { json, openRaw, type RawStream } from './helpers/sse-client'

vi.mock('../../src/runtime/server/utils/sse-hooks', () => import('./helpers/hooks'))

let server: TestServer
const streams: RawStream[] = []

async function open(userId: number, headers: Record<string, string> = {}): Promise<{ stream: RawStream; connectionId: string }> {
  const stream = await openRaw(`${server.url}/api/chat/events`, { authorization: `Bearer token-${userId}`, ...headers })
  streams.push(stream)
  expect(stream.status).toBe(200)
  return { stream, connectionId: json<{ connectionId: string }>(await stream.next((f) => f.event === 'connected')).connectionId }
}

afterEach(async () => {
  for (const s of streams.splice(0)) s.close()
  await server?.close()
})

describe('event and replay size', () => {
  it('refuses an event over maxEventBytes at the emit, and delivers one just under it to every recipient', async () => {
    server = await startTestServer({ heartbeatMs: 0 })
    const readers = [await open(1), await open(1), await open(1)]
    expect(() => emitToUser(1, 'huge', { text: 'x'.repeat(1_100_000) })).toThrow(RangeError)
    expect(() => emitToUser(1, 'huge', { text: 'x'.repeat(1_100_000) })).toThrow(/over maxEventBytes \(262144\)/)
    await emitToUser(1, 'big', { text: 'y'.repeat(250_000) })
    for (const { stream } of readers) {
      expect(json<{ text: string }>(await stream.next((f) => f.event === 'big')).text).toHaveLength(250_000)
      expect(stream.isEnded()).toBe(false)
    }
    expect(readers.every(({ stream }) => !stream.frames.some((f) => f.event === 'huge'))).toBe(true)
  })

  it('replays more missed events than the send queue holds, all of them, in order', async () => {
    server = await startTestServer({ heartbeatMs: 0 })
    const first = await open(1)
    await emitToUser(1, 'seen', null)
    const cursor = (await first.stream.next((f) => f.event === 'seen')).id!
    first.stream.close()
    // 1,200 events of 1 KB: more than maxQueueBytes (1 MiB) in one replay.
    for (let n = 0; n < 1200; n++) await emitToUser(1, 'missed', { n, pad: 'z'.repeat(1000) })
    const back = await open(1, { 'last-event-id': cursor })
    const got = await back.stream.collect((f) => f.event === 'missed', 1200, 10_000)
    expect(got.map((f) => json<{ n: number }>(f).n)).toEqual(Array.from({ length: 1200 }, (_, n) => n))
    await emitToUser(1, 'live', null)
    await back.stream.next((f) => f.event === 'live')
    expect(back.stream.isEnded()).toBe(false)
  })

  it('sends reset instead of a replay over maxReplayBytes; the client resumes normally from it', async () => {
    server = await startTestServer({ heartbeatMs: 0, maxReplayBytes: 100_000 })
    const first = await open(1)
    await emitToUser(1, 'seen', null)
    const cursor = (await first.stream.next((f) => f.event === 'seen')).id!
    first.stream.close()
    for (let n = 0; n < 200; n++) await emitToUser(1, 'missed', { n, pad: 'z'.repeat(1000) })
    const back = await open(1, { 'last-event-id': cursor })
    const reset = await back.stream.next((f) => f.event === 'reset')
    expect(json<{ reason: string }>(reset).reason).toMatch(/reload your state/)
    expect(back.stream.frames.filter((f) => f.event === 'missed')).toEqual([])
    back.stream.close()
    await emitToUser(1, 'after', null)
    const again = await open(1, { 'last-event-id': reset.id! })
    await again.stream.next((f) => f.event === 'after')
    expect(again.stream.frames.filter((f) => f.event === 'reset' || f.event === 'missed')).toEqual([])
  })
})

describe('request bodies of the event routes', () => {
  function post(path: string, body: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = request(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, agent: false }, (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (text += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
      })
      // The server may answer and close before the whole body is sent.
      req.on('error', (error) => (String(error).includes('EPIPE') || String(error).includes('ECONNRESET') ? resolve({ status: 413, text: '' }) : reject(error)))
      const chunkSize = 64 * 1024
      for (let i = 0; i < body.length; i += chunkSize) req.write(body.slice(i, i + chunkSize))
      req.end()
    })
  }

  it('answers 413 to a body over maxBodyBytes, announced or streamed, and reads one under it', async () => {
    server = await startTestServer({ heartbeatMs: 0, maxBodyBytes: 100_000 })
    const small = JSON.stringify({ text: 'a'.repeat(1000) })
    const large = JSON.stringify({ text: 'a'.repeat(500_000) })
    expect(await post('/api/chat/message', small, { 'content-length': String(small.length) })).toMatchObject({ status: 200, text: '{"length":1000}' })
    expect((await post('/api/chat/message', large, { 'content-length': String(large.length) })).status).toBe(413)
    expect((await post('/api/chat/message', large, { 'transfer-encoding': 'chunked' })).status).toBe(413)
    expect(await post('/api/chat/message', small, { 'transfer-encoding': 'chunked' })).toMatchObject({ status: 200 })
  })
})

describe('channels of a connection', () => {
  it('refuses more than maxChannelsPerConnection channels and names over maxChannelNameLength, quickly even for 50,000', async () => {
    server = await startTestServer({ heartbeatMs: 0, maxChannelsPerConnection: 10 })
    const { connectionId } = await open(1)
    const owner = { userId: 1 }
    await expect(subscribe(connectionId, `room:${'9'.repeat(300)}`, owner)).rejects.toMatchObject({ statusCode: 400 })
    await expect(subscribe(connectionId, ['room:2'], owner)).resolves.toBeUndefined()
    const many = Array.from({ length: 50_000 }, (_, i) => `room:${i}`)
    const started = Date.now()
    await expect(subscribe(connectionId, many, owner)).rejects.toMatchObject({ statusCode: 400 })
    expect(Date.now() - started).toBeLessThan(2000)
    expect(useSSERuntime().hub.connections.get(connectionId)!.channels).toEqual(['user:1', 'room:1', 'room:2'])
  })

  it('joins tens of thousands of channels in linear time when the cap allows them', async () => {
    server = await startTestServer({ heartbeatMs: 0, maxChannelsPerConnection: 60_000 })
    const { connectionId } = await open(1)
    const connection = useSSERuntime().hub.connections.get(connectionId)!
    const many = Array.from({ length: 50_000 }, (_, i) => `topic:${i}`)
    const started = Date.now()
    useSSERuntime().hub.join(connection, many)
    useSSERuntime().hub.join(connection, many)
    // Quadratic joins took 9 s here; linear ones take milliseconds (the bound is for slow machines).
    expect(Date.now() - started).toBeLessThan(2000)
    expect(connection.channels).toHaveLength(50_002)
  })
})

describe('replay work per user', () => {
  it('answers 429 with Retry-After once a user’s replays have read replayEntriesPerMinute entries; other users still replay', async () => {
    server = await startTestServer({ heartbeatMs: 0, replayEntriesPerMinute: 500 })
    const first = await open(1)
    await emitToUser(1, 'seen', null)
    const cursor = (await first.stream.next((f) => f.event === 'seen')).id!
    first.stream.close()
    for (let n = 0; n < 300; n++) await emitToUser(n % 2 ? 1 : 2, 'e', { n })
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) {
      const stream = await openRaw(`${server.url}/api/chat/events`, { authorization: 'Bearer token-1', 'last-event-id': cursor })
      streams.push(stream)
      statuses.push(stream.status)
      if (stream.status === 429) expect(Number(stream.headers['retry-after'])).toBeGreaterThan(0)
      else await stream.collect((f) => f.event === 'e', 150)
      stream.close()
    }
    expect(statuses).toEqual([200, 200, 429, 429])
    // Another user's allowance is their own.
    const other = await openRaw(`${server.url}/api/chat/events`, { authorization: 'Bearer token-2', 'last-event-id': cursor })
    streams.push(other)
    expect(other.status).toBe(200)
  })
})
