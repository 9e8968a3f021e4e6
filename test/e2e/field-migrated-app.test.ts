import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import type { ChatPage } from '../helpers/chat-page.js'
import { chromiumSkipReason, launchChromium } from '../helpers/chromium.js'
import {
  accessTokenExpiry, fieldAccounts, fieldAppEnv, fieldDatabase, fieldGet, fieldLogin, fieldPost, fieldSqlFiles, openFieldRoom,
  openTicketedStream, shownMessageEntries, signInToRoom, storedMessages,
} from '../helpers/field-tutor-school.js'
import { mariadbSkipReason, startMariaDb, type MariaDbHandle } from '../helpers/mariadb.js'
import { repoRoot, startBuiltServer, type RunningServer } from '../helpers/nuxt.js'
import { freePort } from '../helpers/ports.js'
import { redisSkipReason, startRedis, type RedisHandle } from '../helpers/redis.js'
import { shownMessages, waitForMessages } from '../helpers/tutor-school.js'
import { diffTrees, readStoredTree, readTree } from '../helpers/tree.js'
import { itTypechecksAndBuilds, requireBuilt, usePreparedFixture } from './build.js'
import { expectOnceInOrder, expectSettled, pageMessageArrives, readReceiptReachesSender, sendFromPage, typingIsShown } from './conversation.js'

/**
 * The team's app after the real CLI has migrated it (fixtures/field-tutor-school), run the way the
 * team runs it: two instances on one MariaDB and one redis-server, configured through the app's own
 * settings plus the one setting the migration adds, NUXT_SSE_TICKET_SECRET. The SSE broker has no
 * Redis setting of its own here: cross-instance delivery works only if it reaches Redis through the
 * app's `getRedisClient()`. `field-before-app.test.ts` runs the same steps on the un-migrated app.
 */
const skip = chromiumSkipReason() || mariadbSkipReason() || redisSkipReason()
const { student, tutor, otherStudent } = fieldAccounts
const room = student.room
/** What every instance shares besides the app's own settings. */
const ticketSecret = { NUXT_SSE_TICKET_SECRET: 'field-e2e-ticket-secret-shared-by-every-instance' }
/** The stream's ticket and the stream itself: what a reconnect asks for. */
const isStreamRequest = (url: string) => new URL(url).pathname.startsWith('/api/chat/events')

describe('the migrated field-tutor-school app', () => {
  const fixture = usePreparedFixture('field-tutor-school', { migrate: true }, 180_000)

  it('is migrated by the real CLI into the reviewed after/ tree', () => {
    const { migration, appDir } = fixture()
    expect(migration?.exitCode, migration?.output).toBe(0)
    const migrated = readTree(appDir, ['node_modules', '.nuxt', '.output'])
    const reviewed = readStoredTree(join(repoRoot, 'fixtures/field-tutor-school/after'))
    expect(diffTrees(migrated, reviewed), 'the migrated copy differs from fixtures/field-tutor-school/after').toBe('')
  })

  itTypechecksAndBuilds(fixture)

  describe.skipIf(skip)('two instances on one MariaDB and one redis-server, in chromium', () => {
    let db: MariaDbHandle
    let redis: RedisHandle
    let env: Record<string, string>
    let first: RunningServer
    let second: RunningServer
    let browser: Browser
    let studentToken: string
    let tutorToken: string
    let a: ChatPage
    let b: ChatPage
    const fromStudent = 'Field migrated: which pages, Kru?'
    const fromTutor = 'Field migrated: bring your workbook on Thursday'

    beforeAll(async () => {
      const appDir = requireBuilt(fixture())
      db = await startMariaDb({ ...fieldDatabase, sqlFiles: fieldSqlFiles })
      redis = await startRedis()
      env = { ...fieldAppEnv(db, redis), ...ticketSecret }
      ;[first, second] = await Promise.all([
        freePort().then((port) => startBuiltServer(appDir, port, env)),
        freePort().then((port) => startBuiltServer(appDir, port, env)),
      ])
      browser = await launchChromium()
      studentToken = await fieldLogin(first.url, student.username)
      tutorToken = await fieldLogin(second.url, tutor.username)
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

    it('refuses to start without NUXT_SSE_TICKET_SECRET, naming the setting', async () => {
      const withoutSecret = startBuiltServer(requireBuilt(fixture()), await freePort(), fieldAppEnv(db, redis))
      await expect(withoutSecret).rejects.toThrow(/exited with [1-9]\d* before listening[\s\S]*NUXT_SSE_TICKET_SECRET/)
    })

    it('sends a signed-out visitor to the login page and, once signed in, back to the room, live', async () => {
      await signInToRoom(browser, first.url, student, tutor.name)
    })

    it('shows the tutor on instance 2 the message the student sends from the page on instance 1, through the app\'s own Redis', async () => {
      // The broker must find Redis through the app's settings alone
      expect(Object.keys({ ...process.env, ...env }).filter((name) => name.startsWith('NUXT_SSE_'))).toEqual(['NUXT_SSE_TICKET_SECRET'])
      await pageMessageArrives(a, b, fromStudent)
    })

    it('shows the student on instance 1 the message the tutor sends from the page on instance 2', async () => {
      await pageMessageArrives(b, a, fromTutor)
    })

    it('shows the student that the tutor on the other instance is typing, then clears it', async () => {
      await typingIsShown(a, b, tutor.name)
    })

    it('turns the tutor\'s "Sent" into "Read" when the student marks the room read', async () => {
      await readReceiptReachesSender(a, b, fromTutor)
      expect(await db.sql(`SELECT is_read FROM chat_messages WHERE content = '${fromTutor}'`)).toContain('1')
    })

    it('keeps the access token out of the stream URLs', () => {
      const streamUrls = a.requests.filter((request) => isStreamRequest(request.url)).map((request) => request.url)
      expect(streamUrls.length, 'the student\'s page opened the stream').toBeGreaterThan(0)
      for (const url of streamUrls) expect(url).not.toContain(studentToken)
    })

    it('shows the student every message the tutor sent while instance 1 restarted, once each and in order', async () => {
      const appDir = requireBuilt(fixture())
      const missed = ['During the deploy: 1/3', 'During the deploy: 2/3', 'During the deploy: 3/3']
      const elapsed = await first.stop()
      expect(elapsed, `shutdown of instance 1 with the student connected:\n${first.output()}`).toBeLessThan(2_000)
      await expect.poll(() => a.page.getByTestId('connection-status').getAttribute('data-connected'), { timeout: 10_000 }).toBe('false')
      for (const text of missed) await sendFromPage(b, text)
      expect(await shownMessages(a.page)).not.toContain(missed[0])

      first = await startBuiltServer(appDir, first.port, env)
      expectOnceInOrder(await waitForMessages(a.page, missed, 30_000), missed)
      await a.page.locator('[data-testid="connection-status"][data-connected="true"]').waitFor({ timeout: 10_000 })
      await expectSettled(a, missed)
      // Nothing lost, nothing twice: the page lists exactly the room's stored messages, by id, in order
      expect(await shownMessageEntries(a.page)).toEqual(await storedMessages(db, room))

      await pageMessageArrives(b, a, 'Field migrated: still there after the deploy?')
      await pageMessageArrives(a, b, 'Field migrated: yes, Kru')
      expect(await shownMessageEntries(b.page)).toEqual(await storedMessages(db, room))
    }, 90_000)

    it('reopens the room after a stream reset: the student sees every message sent while the stream was away, once each', async () => {
      const appDir = requireBuilt(fixture())
      // One replay may send 200 bytes: three missed messages are more, so the resume is answered with a reset
      const tinyReplayEnv = { ...env, NUXT_SSE_MAX_REPLAY_BYTES: '200' }
      let tinyReplay = await startBuiltServer(appDir, await freePort(), tinyReplayEnv)
      try {
        const page = await openFieldRoom(browser, tinyReplay.url, studentToken, room)
        try {
          const roomLoads = () => page.requests.filter((request) => new URL(request.url).pathname === `/api/chat/rooms/${room}/messages`).length
          const missed = ['While the stream was reset: 1/3', 'While the stream was reset: 2/3', 'While the stream was reset: 3/3']
          await tinyReplay.stop()
          await expect.poll(() => page.page.getByTestId('connection-status').getAttribute('data-connected'), { timeout: 10_000 }).toBe('false')
          for (const text of missed) await sendFromPage(b, text)
          const loadsBefore = roomLoads()

          tinyReplay = await startBuiltServer(appDir, tinyReplay.port, tinyReplayEnv)
          expectOnceInOrder(await waitForMessages(page.page, missed, 30_000), missed)
          await page.page.locator('[data-testid="connection-status"][data-connected="true"]').waitFor({ timeout: 10_000 })
          // Not replayed but reloaded: the page fetched the room's messages again, once
          expect(roomLoads(), `browser: ${page.problems.join('; ')}`).toBe(loadsBefore + 1)
          await expectSettled(page, missed)
          expect(await shownMessageEntries(page.page)).toEqual(await storedMessages(db, room))
          await pageMessageArrives(b, page, 'Field migrated: back after the reset?')
        } finally {
          await page.close()
        }
      } finally {
        await tinyReplay.stop()
      }
    }, 90_000)

    it('refuses a student of another room with 403 on the generated routes, as the app\'s REST routes do', async () => {
      const outsider = await fieldLogin(second.url, otherStudent.username)
      expect((await fieldGet(second.url, `/api/chat/rooms/${room}/messages`, outsider)).status, 'the app\'s own route').toBe(403)
      const intrusion = 'Field migrated: a message from outside the room'
      const sent = await fieldPost(second.url, '/api/chat/send-message', outsider, { roomId: room, content: intrusion })
      expect(sent.status, JSON.stringify(sent.body)).toBe(403)
      const read = await fieldPost(second.url, '/api/chat/mark-read', outsider, { roomId: room })
      expect(read.status, JSON.stringify(read.body)).toBe(403)

      // Joining needs the caller's own stream: the outsider's, open on the other instance
      const { stream, connectionId } = await openTicketedStream(first.url, outsider)
      try {
        const joinHeaders = { 'x-sse-connection-id': connectionId }
        const joined = await fieldPost(second.url, '/api/chat/join-room', outsider, { roomId: room }, joinHeaders)
        expect(joined.status, JSON.stringify(joined.body)).toBe(403)
        const ownRoom = await fieldPost(second.url, '/api/chat/join-room', outsider, { roomId: otherStudent.room }, joinHeaders)
        expect(ownRoom.status, JSON.stringify(ownRoom.body)).toBeLessThan(300)

        // The refused join subscribed nothing: room 1's next message reaches its members only
        const marker = 'Field migrated: room 1 only'
        await pageMessageArrives(b, a, marker)
        await stream.next((frame) => frame.event === 'room_joined', 5_000)
        expect(stream.frames.filter((frame) => frame.data.includes(marker) || frame.data.includes(intrusion))).toEqual([])
      } finally {
        stream.close()
      }
      expect(await storedMessages(db, room)).not.toContainEqual(expect.objectContaining({ content: intrusion }))
      expect(await shownMessages(a.page)).not.toContain(intrusion)
    })

    it('answers 500, as the app\'s REST routes do, when the database fails after the caller is authenticated', async () => {
      await db.sql('RENAME TABLE chat_messages TO chat_messages_offline')
      try {
        const rest = await fieldGet(second.url, `/api/chat/rooms/${room}/messages`, tutorToken)
        expect(rest.status, 'the app\'s own route').toBe(500)
        const sent = await fieldPost(second.url, '/api/chat/send-message', tutorToken, { roomId: room, content: 'Field migrated: lost to the database' })
        expect(sent.status, JSON.stringify(sent.body)).toBe(500)
      } finally {
        await db.sql('RENAME TABLE chat_messages_offline TO chat_messages')
      }
    })

    it('signs the student out to the login page once the token has expired, and stops asking for a stream', async () => {
      const appDir = requireBuilt(fixture())
      const shortLivedEnv = { ...env, NUXT_JWT_EXPIRES_IN: '8s' }
      let shortLived = await startBuiltServer(appDir, await freePort(), shortLivedEnv)
      try {
        const token = await fieldLogin(shortLived.url, student.username)
        const expiresAt = accessTokenExpiry(token)
        const page = await openFieldRoom(browser, shortLived.url, token, room)
        const ticketAnswers: number[] = []
        page.page.on('response', (response) => {
          if (new URL(response.url()).pathname === '/api/chat/events/ticket') ticketAnswers.push(response.status())
        })
        try {
          expect(Date.now(), 'the page took the whole token lifetime to open').toBeLessThan(expiresAt)
          await page.page.waitForTimeout(expiresAt - Date.now() + 500)
          const streamRequests = () => page.requests.filter((request) => isStreamRequest(request.url)).length
          const beforeExpiry = streamRequests()
          // The open stream outlives the token; its next reconnect asks for a ticket with it
          await shortLived.stop()
          shortLived = await startBuiltServer(appDir, shortLived.port, shortLivedEnv)

          await page.page.waitForURL((url) => url.pathname === '/login', { timeout: 30_000 })
          await expect.poll(() => page.page.getByTestId('session-notice').innerText()).toContain('session has expired')
          const atSignOut = streamRequests()
          await page.page.waitForTimeout(5_000)
          expect(streamRequests(), 'ticket and stream requests after the sign-out').toBe(atSignOut)
          // One refusal, and no ticket asked for after it; before it only the restart's failed attempts (at most 5 retries)
          expect(ticketAnswers.filter((status) => status === 401), `ticket answers: ${ticketAnswers.join(', ')}`).toHaveLength(1)
          expect(ticketAnswers.at(-1)).toBe(401)
          expect(atSignOut - beforeExpiry, 'ticket and stream requests after the token expired').toBeLessThanOrEqual(6)
        } finally {
          await page.close()
        }
      } finally {
        await shortLived.stop()
      }
    }, 90_000)
  })
})
