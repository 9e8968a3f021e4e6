import { request } from 'node:http'
import { createApp, createRouter, defineEventHandler, readValidatedBody, send, setResponseHeader, setResponseStatus, type H3Error, type H3Event } from 'h3'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { closeSSE, configureSSE, limitRequestBody } from '../../src/runtime/server/utils/sse'
import { clearConfigOverrides } from '../../src/runtime/server/sse/config'
import { listenOnFreePort, TEST_SECRET } from './helpers/app'

vi.mock('../../src/runtime/server/utils/sse-hooks', () => import('./helpers/hooks'))

/**
 * A route generated for an app that validates its bodies with zod reads the body as the app's own
 * routes do, `readValidatedBody(event, schema.parse)`, after `limitRequestBody`: the body stays within
 * `maxBodyBytes` and a bad one gets h3's 400 with the zod issues.
 */
const sendMessageSchema = z.object({
  roomId: z.number(),
  content: z.string(),
  kind: z.enum(['text', 'image']).optional(),
})

let stop: (() => Promise<void>) | undefined

afterEach(async () => {
  await stop?.()
  stop = undefined
  await closeSSE()
  clearConfigOverrides()
})

/** Nitro's JSON error answer: status, message and the error's `data`. */
async function jsonError(error: H3Error, event: H3Event): Promise<void> {
  if (event.handled) return
  setResponseStatus(event, error.statusCode, error.statusMessage)
  setResponseHeader(event, 'content-type', 'application/json')
  await send(event, JSON.stringify({ statusCode: error.statusCode, statusMessage: error.statusMessage, message: error.message, data: error.data }))
}

async function start(maxBodyBytes: number): Promise<string> {
  clearConfigOverrides()
  configureSSE({ ticketSecret: TEST_SECRET, maxBodyBytes })
  const app = createApp({ onError: jsonError })
  const router = createRouter()
  router.post(
    '/api/chat/send-message',
    defineEventHandler(async (event) => {
      await limitRequestBody(event)
      const data = await readValidatedBody(event, sendMessageSchema.parse)
      return { roomId: data.roomId, length: data.content.length, kind: data.kind ?? null }
    }),
  )
  app.use(router)
  const listening = await listenOnFreePort(app)
  stop = listening.stop
  return listening.url
}

function post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api/chat/send-message`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, agent: false }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined }))
    })
    // The server may answer and close before the whole body is sent.
    req.on('error', (error) => (String(error).includes('EPIPE') || String(error).includes('ECONNRESET') ? resolve({ status: 413, json: undefined }) : reject(error)))
    const chunkSize = 64 * 1024
    for (let i = 0; i < body.length; i += chunkSize) req.write(body.slice(i, i + chunkSize))
    req.end()
  })
}

describe('a zod-validated event route body', () => {
  it('reads a valid body as the schema gives it', async () => {
    const url = await start(100_000)
    const body = JSON.stringify({ roomId: 7, content: 'hello', kind: 'text', extra: 'dropped' })
    expect(await post(url, body, { 'content-length': String(body.length) })).toEqual({ status: 200, json: { roomId: 7, length: 5, kind: 'text' } })
  })

  it('answers 400 naming the field, with the zod issues in data', async () => {
    const url = await start(100_000)
    const body = JSON.stringify({ roomId: '7', content: 'hello' })
    const answer = await post(url, body, { 'content-length': String(body.length) })
    expect(answer.status).toBe(400)
    expect(answer.json).toMatchObject({ statusCode: 400, statusMessage: 'Validation Error' })
    expect(answer.json!.message).toContain('"roomId"')
    expect(answer.json!.data).toMatchObject({ issues: [{ path: ['roomId'], code: 'invalid_type', expected: 'number' }] })
    const badKind = JSON.stringify({ roomId: 7, content: 'hello', kind: 'video' })
    const refused = await post(url, badKind, { 'content-length': String(badKind.length) })
    expect(refused.status).toBe(400)
    expect(refused.json!.data).toMatchObject({ issues: [{ path: ['kind'], code: 'invalid_enum_value' }] })
  })

  it('answers 413 to a body over maxBodyBytes, announced or streamed, before validating it', async () => {
    const url = await start(100_000)
    const large = JSON.stringify({ roomId: 7, content: 'a'.repeat(500_000) })
    expect((await post(url, large, { 'content-length': String(large.length) })).status).toBe(413)
    expect((await post(url, large, { 'transfer-encoding': 'chunked' })).status).toBe(413)
    const small = JSON.stringify({ roomId: 7, content: 'a'.repeat(1000) })
    expect(await post(url, small, { 'transfer-encoding': 'chunked' })).toMatchObject({ status: 200, json: { length: 1000 } })
  })
})
