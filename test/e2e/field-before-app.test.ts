import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import type { ChatPage } from '../helpers/chat-page.js'
import { chromiumSkipReason, launchChromium } from '../helpers/chromium.js'
import { accessTokenExpiry, fieldAccounts, fieldAppEnv, fieldDatabase, fieldGet, fieldLogin, fieldSqlFiles, openFieldRoom, signInToRoom } from '../helpers/field-tutor-school.js'
import { mariadbSkipReason, startMariaDb, type MariaDbHandle } from '../helpers/mariadb.js'
import { startBuiltServer, type RunningServer } from '../helpers/nuxt.js'
import { freePort } from '../helpers/ports.js'
import { redisSkipReason, startRedis, type RedisHandle } from '../helpers/redis.js'
import { waitForMessages } from '../helpers/tutor-school.js'
import { itTypechecksAndBuilds, requireBuilt, usePreparedFixture } from './build.js'
import { pageMessageArrives, readReceiptReachesSender, typingIsShown } from './conversation.js'

/**
 * Control experiment for the team's app: the un-migrated field fixture (Socket.IO with the Redis
 * adapter, services on mysql2) type-checks, builds and chats in chromium with two instances on one
 * MariaDB and one redis-server. A step the migrated app fails while this suite passes was broken by
 * the migration, not by the fixture, the database or the harness.
 */
const skip = chromiumSkipReason() || mariadbSkipReason() || redisSkipReason()

/**
 * The fixture attaches Socket.IO to Nitro's HTTP server on the first plain HTTP request it gets (a
 * WebSocket upgrade is not one): a restarted instance needs one, as a load balancer's health check sends.
 */
async function knockOn(server: RunningServer): Promise<void> {
  await fetch(`${server.url}/login`, { signal: AbortSignal.timeout(10_000) })
}
const { student, tutor, otherStudent } = fieldAccounts
const room = student.room

describe('the un-migrated field-tutor-school fixture (Socket.IO control)', () => {
  const fixture = usePreparedFixture('field-tutor-school', { migrate: false }, 120_000)

  itTypechecksAndBuilds(fixture)

  describe.skipIf(skip)('two instances on one MariaDB and one redis-server, in chromium', () => {
    let db: MariaDbHandle
    let redis: RedisHandle
    let first: RunningServer
    let second: RunningServer
    let browser: Browser
    let studentToken: string
    let a: ChatPage
    let b: ChatPage
    const fromTutor = 'Field control: bring your workbook on Thursday'
    const fromStudent = 'Field control: which pages, Kru?'

    beforeAll(async () => {
      const appDir = requireBuilt(fixture())
      db = await startMariaDb({ ...fieldDatabase, sqlFiles: fieldSqlFiles })
      console.info(`mariadbd: data dir ${Math.round(db.startupMs.install)} ms, start ${Math.round(db.startupMs.start)} ms`)
      redis = await startRedis()
      const env = fieldAppEnv(db, redis)
      first = await startBuiltServer(appDir, await freePort(), env)
      second = await startBuiltServer(appDir, await freePort(), env)
      browser = await launchChromium()
      studentToken = await fieldLogin(first.url, student.username)
      const tutorToken = await fieldLogin(second.url, tutor.username)
      a = await openFieldRoom(browser, first.url, studentToken, room)
      b = await openFieldRoom(browser, second.url, tutorToken, room)
    }, 180_000)

    afterAll(async () => {
      await browser?.close()
      await first?.stop()
      await second?.stop()
      await redis?.stop()
      await db?.stop()
    })

    it('sends a signed-out visitor to the login page and, once signed in, back to the room, live', async () => {
      await signInToRoom(browser, first.url, student, tutor.name)
    })

    it('shows the tutor on instance 2 the message the student sends from the page on instance 1', async () => {
      await pageMessageArrives(a, b, fromStudent)
    })

    it('shows the student on instance 1 the message the tutor sends from instance 2', async () => {
      await pageMessageArrives(b, a, fromTutor)
    })

    it('shows the student that the tutor on the other instance is typing', async () => {
      await typingIsShown(a, b, tutor.name)
    })

    it('turns the tutor\'s "Sent" into "Read" when the student marks the room read', async () => {
      await readReceiptReachesSender(a, b, fromTutor)
    })

    it('keeps the conversation in the shared database: the room opened on the other instance shows it', async () => {
      const again = await openFieldRoom(browser, second.url, studentToken, room)
      try {
        const shown = await waitForMessages(again.page, [fromStudent, fromTutor])
        expect(shown.filter((text) => text === fromStudent)).toHaveLength(1)
        expect(shown.filter((text) => text === fromTutor)).toHaveLength(1)
        const stored = await db.sql(`SELECT content, is_read FROM chat_messages WHERE room_id = ${room} ORDER BY id`)
        expect(stored).toContain(`${fromTutor}\t1`)
      } finally {
        await again.close()
      }
    })

    it('goes live again after instance 1 restarts under the student, and chats on', async () => {
      const appDir = requireBuilt(fixture())
      await first.stop()
      await expect.poll(() => a.page.getByTestId('connection-status').getAttribute('data-connected'), { timeout: 10_000 }).toBe('false')
      first = await startBuiltServer(appDir, first.port, fieldAppEnv(db, redis))
      await knockOn(first)
      await a.page.locator('[data-testid="connection-status"][data-connected="true"]').waitFor({ timeout: 30_000 })
      await pageMessageArrives(b, a, 'Field control: still there after the restart?')
    }, 60_000)

    it('signs the student out to the login page when the token has expired and the socket is refused', async () => {
      const lifetimeSeconds = 8
      const appDir = requireBuilt(fixture())
      let shortLived = await startBuiltServer(appDir, await freePort(), fieldAppEnv(db, redis, { NUXT_JWT_EXPIRES_IN: `${lifetimeSeconds}s` }))
      try {
        const token = await fieldLogin(shortLived.url, student.username)
        const expiresAt = accessTokenExpiry(token)
        const page = await openFieldRoom(browser, shortLived.url, token, room)
        try {
          expect(Date.now(), 'the page took the whole token lifetime to open').toBeLessThan(expiresAt)
          await new Promise((resolve) => setTimeout(resolve, expiresAt - Date.now() + 500))
          // The socket stays up on an expired token until it has to reconnect
          await shortLived.stop()
          shortLived = await startBuiltServer(appDir, shortLived.port, fieldAppEnv(db, redis, { NUXT_JWT_EXPIRES_IN: `${lifetimeSeconds}s` }))
          await knockOn(shortLived)
          await page.page.waitForURL((url) => url.pathname === '/login', { timeout: 30_000 })
          await expect.poll(() => page.page.getByTestId('session-notice').innerText()).toContain('session has expired')
          const handshakes = () => page.requests.filter((request) => request.url.includes('/socket.io/')).length
          const afterSignOut = handshakes()
          await page.page.waitForTimeout(4_000)
          expect(handshakes(), 'Socket.IO requests after the sign-out').toBe(afterSignOut)
        } finally {
          await page.close()
        }
      } finally {
        await shortLived.stop()
      }
    }, 90_000)

    it('refuses a student of another room with 403 and leaves the room out of their list', async () => {
      const outsider = await fieldLogin(first.url, otherStudent.username)
      expect((await fieldGet(first.url, `/api/chat/rooms/${room}`, outsider)).status).toBe(403)
      expect((await fieldGet(second.url, `/api/chat/rooms/${room}/messages`, outsider)).status).toBe(403)
      const rooms = await fieldGet(first.url, '/api/chat/rooms', outsider)
      expect(rooms.status).toBe(200)
      expect((rooms.body as { data: Array<{ id: number }> }).data.map((r) => r.id)).toEqual([otherStudent.room])
    })
  })
})
