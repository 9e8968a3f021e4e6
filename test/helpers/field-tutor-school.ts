import { join } from 'node:path'
import { expect } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { openRaw, type RawStream } from '../runtime/helpers/sse-client.js'
import { openLivePage, type ChatPage } from './chat-page.js'
import type { MariaDbHandle } from './mariadb.js'
import { repoRoot } from './nuxt.js'
import type { RedisHandle } from './redis.js'

/** Seeded accounts of fixtures/field-tutor-school (db/seed.sql): room 1 pairs Ploy and Kru Somsak, room 2 Beam and Kru Malee. */
export const fieldAccounts = {
  student: { username: 'ploy', id: 9, name: 'Nong Ploy', room: 1 },
  tutor: { username: 'somsak', id: 3, name: 'Kru Somsak', room: 1 },
  otherStudent: { username: 'beam', id: 12, name: 'Nong Beam', room: 2 },
} as const
export const fieldPassword = 'password123'

/** The fixture's schema and seed, in load order, from its `before/` tree. */
export const fieldSqlFiles = ['schema.sql', 'seed.sql'].map((file) => join(repoRoot, 'fixtures/field-tutor-school/before/db', file))

export const fieldDatabase = { database: 'tutor_school', user: 'tutor_app', password: 'tutor-app-password' }

/** Every instance gets the same settings, through the app's own runtimeConfig keys only. */
export function fieldAppEnv(db: MariaDbHandle, redis: RedisHandle, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NUXT_DB_HOST: db.host,
    NUXT_DB_PORT: String(db.port),
    NUXT_DB_NAME: db.database,
    NUXT_DB_USER: db.user,
    NUXT_DB_PASSWORD: db.password,
    NUXT_REDIS_HOST: '127.0.0.1',
    NUXT_REDIS_PORT: String(redis.port),
    NUXT_JWT_SECRET: 'field-e2e-secret-shared-by-every-instance',
    ...extra,
  }
}

/** Signs in through `POST /api/auth/login` and returns the access token. */
export async function fieldLogin(baseUrl: string, username: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: fieldPassword }),
    signal: AbortSignal.timeout(10_000),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`POST /api/auth/login as ${username} → ${response.status}: ${text}`)
  return (JSON.parse(text) as { data: { accessToken: string } }).data.accessToken
}

export interface FieldResponse {
  status: number
  body: unknown
}

async function answerOf(response: Response): Promise<FieldResponse> {
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : undefined }
}

/** `GET <path>` with a bearer token; the status and the parsed body. */
export async function fieldGet(baseUrl: string, path: string, token: string): Promise<FieldResponse> {
  return answerOf(await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) }))
}

/** `POST <path>` with a bearer token and a JSON body, as the app's `$fetch` sends it; the status and the parsed body. */
export async function fieldPost(baseUrl: string, path: string, token: string, body: unknown, headers: Record<string, string> = {}): Promise<FieldResponse> {
  return answerOf(await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  }))
}

/** When the app's access token stops being accepted, in ms since the epoch. */
export function accessTokenExpiry(token: string): number {
  const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number }
  return payload.exp * 1000
}

/**
 * A signed-out visitor to `/chat?room=<roomId>` lands on the login page, signs in as `account` and
 * comes back to the room, live, with the partner's name as its title.
 */
export async function signInToRoom(browser: Browser, baseUrl: string, account: { username: string, name: string, room: number }, partnerName: string): Promise<void> {
  const context = await browser.newContext({ baseURL: baseUrl })
  try {
    const page = await context.newPage()
    page.setDefaultTimeout(15_000)
    await page.goto(`/chat?room=${account.room}`)
    await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('redirect') === `/chat?room=${account.room}`)
    await page.getByLabel('Username').fill(account.username)
    await page.getByLabel('Password').fill(fieldPassword)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL((url) => url.pathname === '/chat' && url.searchParams.get('room') === String(account.room))
    await page.locator('[data-testid="connection-status"][data-connected="true"]').waitFor()
    await expect.poll(() => page.getByTestId('room-title').innerText()).toBe(partnerName)
    await expect.poll(() => page.getByTestId('current-user').innerText()).toBe(account.name)
  } finally {
    await context.close()
  }
}

export interface ListedMessage {
  id: number
  content: string
}

/** The messages the page shows, top to bottom: the database id it rendered (`data-message-id`) and the text. */
export function shownMessageEntries(page: Page): Promise<ListedMessage[]> {
  return page.locator('[data-testid="message"]').evaluateAll((nodes) => nodes.map((node) => ({
    id: Number(node.getAttribute('data-message-id')),
    content: node.querySelector('[data-testid="message-content"]')?.textContent?.trim() ?? '',
  })))
}

/** The messages of a room as the database holds them, oldest first. */
export async function storedMessages(db: MariaDbHandle, roomId: number): Promise<ListedMessage[]> {
  const rows = (await db.sql(`SELECT id, content FROM chat_messages WHERE room_id = ${roomId} ORDER BY id`)).trim().split('\n').slice(1)
  return rows.map((row) => {
    const [id, ...content] = row.split('\t')
    return { id: Number(id), content: content.join('\t') }
  })
}

/**
 * The migrated app's stream as a raw reader: a ticket from `POST /api/chat/events/ticket` for the
 * bearer token, then `GET /api/chat/events?ticket=`, open once its `connected` frame has arrived.
 */
export async function openTicketedStream(baseUrl: string, token: string): Promise<{ stream: RawStream, connectionId: string }> {
  const ticket = await fieldPost(baseUrl, '/api/chat/events/ticket', token, {})
  if (ticket.status !== 200) throw new Error(`POST /api/chat/events/ticket → ${ticket.status}: ${JSON.stringify(ticket.body)}`)
  const stream = await openRaw(`${baseUrl}/api/chat/events?ticket=${encodeURIComponent((ticket.body as { ticket: string }).ticket)}`)
  if (stream.status !== 200) throw new Error(`GET /api/chat/events → ${stream.status}: ${stream.body}`)
  try {
    const connected = await stream.next((frame) => frame.event === 'connected', 10_000)
    return { stream, connectionId: (JSON.parse(connected.data) as { connectionId: string }).connectionId }
  } catch (error) {
    stream.close()
    throw error
  }
}

/** A user with the app's session cookie on `/chat?room=<roomId>`, live and with the room shown. */
export function openFieldRoom(browser: Browser, baseUrl: string, token: string, roomId: number): Promise<ChatPage> {
  return openLivePage(browser, baseUrl, {
    cookies: [{ name: 'access_token', value: token, httpOnly: true }],
    path: `/chat?room=${roomId}`,
    readySelector: '[data-testid="chat-window"]',
  })
}
