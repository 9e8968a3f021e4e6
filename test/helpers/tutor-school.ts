import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { openLivePage, type ChatPage } from './chat-page.js'
import { startMariaDb, type MariaDbHandle } from './mariadb.js'
import { repoRoot } from './nuxt.js'

export type { ChatPage } from './chat-page.js'

/** Seeded accounts of fixtures/tutor-school and its variants (db/seed.sql): room 1 pairs Ploy and Somsak, room 2 Beam and Malee. */
export const accounts = {
  student: { email: 'ploy@student.tutor.school', id: 9, name: 'Nong Ploy', room: 1 },
  tutor: { email: 'somsak@tutor.school', id: 3, name: 'Kru Somsak', room: 1 },
  otherTutor: { email: 'malee@tutor.school', id: 5, name: 'Kru Malee', room: 2 },
  otherStudent: { email: 'beam@student.tutor.school', id: 12, name: 'Nong Beam', room: 2 },
} as const
export const demoPassword = 'password123'

export interface ChatMessage {
  id: number
  roomId: number
  senderId: number
  content: string
}

export type TutorSchoolFixture = 'tutor-school' | 'tutor-school-hybrid' | 'tutor-school-socket-only'

export interface TutorSchoolDatabase {
  /** The running database (after `beforeAll`), for the test to read what the app stored. */
  handle(): MariaDbHandle
  /** The `NUXT_DB_*` settings that point every instance of the app at this database. */
  env(): Record<string, string>
}

/**
 * In the calling `describe`: a private MariaDB loaded with the fixture's `db/schema.sql` and
 * `db/seed.sql`, started before its tests and stopped after them. Call it before the `beforeAll`
 * that starts the app, and skip the describe with `mariadbSkipReason()`.
 */
export function useTutorSchoolDatabase(fixture: TutorSchoolFixture): TutorSchoolDatabase {
  let db: MariaDbHandle | undefined
  beforeAll(async () => {
    const started = performance.now()
    db = await startMariaDb({
      database: 'tutor_school',
      user: 'tutor_app',
      password: 'tutor-app-password',
      sqlFiles: ['schema.sql', 'seed.sql'].map((file) => join(repoRoot, 'fixtures', fixture, 'before/db', file)),
    })
    const { install, start } = db.startupMs
    console.info(`mariadbd for ${fixture}: ready and loaded in ${Math.round(performance.now() - started)} ms (data dir ${Math.round(install)} ms, start ${Math.round(start)} ms)`)
  }, 60_000)
  afterAll(async () => {
    await db?.stop()
  })
  const handle = (): MariaDbHandle => {
    if (!db) throw new Error('MariaDB was not started (see beforeAll)')
    return db
  }
  return {
    handle,
    env: () => {
      const { host, port, database, user, password } = handle()
      return { NUXT_DB_HOST: host, NUXT_DB_PORT: String(port), NUXT_DB_NAME: database, NUXT_DB_USER: user, NUXT_DB_PASSWORD: password }
    },
  }
}

async function postJson<T>(url: string, body: unknown, token?: string): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`POST ${url} → ${response.status}: ${text}`)
  return JSON.parse(text) as T
}

/** Logs in through the app's REST API and returns the JWT. */
export async function login(baseUrl: string, email: string): Promise<string> {
  const { token } = await postJson<{ token: string }>(`${baseUrl}/api/auth/login`, { email, password: demoPassword })
  return token
}

/** Sends a message through `POST /api/chat/rooms/:id/messages`, as a REST client (or a user whose stream is down) does. */
export function postMessage(baseUrl: string, token: string, roomId: number, content: string): Promise<ChatMessage> {
  return postJson<ChatMessage>(`${baseUrl}/api/chat/rooms/${roomId}/messages`, { content }, token)
}

/** The room's messages as `GET /api/chat/rooms/:id/messages` of the instance at `baseUrl` returns them, oldest first. */
export async function getMessages(baseUrl: string, token: string, roomId: number): Promise<ChatMessage[]> {
  const url = `${baseUrl}/api/chat/rooms/${roomId}/messages`
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) })
  const text = await response.text()
  if (!response.ok) throw new Error(`GET ${url} → ${response.status}: ${text}`)
  return JSON.parse(text) as ChatMessage[]
}

/** Headers that authenticate a raw SSE reader as the user of `token` (the app accepts a bearer header or its cookie). */
export function streamHeaders(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}`, cookie: `auth_token=${token}` }
}

/** A user signed in (the `auth_token` cookie the login page sets) with `/chat/<roomId>` open and live. */
export function openChatPage(browser: Browser, baseUrl: string, token: string, roomId: number): Promise<ChatPage> {
  return openLivePage(browser, baseUrl, { cookies: [{ name: 'auth_token', value: token }], path: `/chat/${roomId}` })
}

/** The texts of the messages the page shows, top to bottom. */
export function shownMessages(page: Page): Promise<string[]> {
  return page.locator('[data-testid="message-content"]').allInnerTexts()
}

/** The ids of the messages the page shows (its `data-message-id`), top to bottom. */
export async function shownMessageIds(page: Page): Promise<number[]> {
  const ids = await page.locator('[data-testid="message"]').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-message-id')))
  return ids.map(Number)
}

/** Waits until every text in `texts` is shown (each at least once), or throws after `timeoutMs`. */
export async function waitForMessages(page: Page, texts: string[], timeoutMs = 15_000): Promise<string[]> {
  try {
    await page.waitForFunction(
      (expected) => {
        const shown = [...document.querySelectorAll('[data-testid="message-content"]')].map((node) => node.textContent?.trim())
        return expected.every((text) => shown.includes(text))
      },
      texts,
      { timeout: timeoutMs, polling: 100 },
    )
  } catch (error) {
    const shown = await shownMessages(page).catch(() => [] as string[])
    const missing = texts.filter((text) => !shown.includes(text))
    throw new Error(`the page never showed ${JSON.stringify(missing)}; it shows ${JSON.stringify(shown)}`, { cause: error })
  }
  return shownMessages(page)
}
