import type { Browser, Page } from 'playwright-core'
import { openLivePage, type ChatPage } from './chat-page.js'

export type { ChatPage } from './chat-page.js'

/** Seeded accounts of fixtures/tutor-school (server/utils/db.ts): room 1 pairs Ploy and Somsak, room 2 Beam and Malee. */
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

/** Waits until every text in `texts` is shown (each at least once), or throws after `timeoutMs`. */
export async function waitForMessages(page: Page, texts: string[], timeoutMs = 15_000): Promise<string[]> {
  await page.waitForFunction(
    (expected) => {
      const shown = [...document.querySelectorAll('[data-testid="message-content"]')].map((node) => node.textContent?.trim())
      return expected.every((text) => shown.includes(text))
    },
    texts,
    { timeout: timeoutMs, polling: 100 },
  )
  return shownMessages(page)
}
