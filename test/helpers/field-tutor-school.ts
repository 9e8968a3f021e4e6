import { join } from 'node:path'
import type { Browser } from 'playwright-core'
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

/** `GET <path>` with a bearer token; the status and the parsed body. */
export async function fieldGet(baseUrl: string, path: string, token: string): Promise<{ status: number, body: unknown }> {
  const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) })
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : undefined }
}

/** A user with the app's session cookie on `/chat?room=<roomId>`, live and with the room shown. */
export function openFieldRoom(browser: Browser, baseUrl: string, token: string, roomId: number): Promise<ChatPage> {
  return openLivePage(browser, baseUrl, {
    cookies: [{ name: 'access_token', value: token, httpOnly: true }],
    path: `/chat?room=${roomId}`,
    readySelector: '[data-testid="chat-window"]',
  })
}
