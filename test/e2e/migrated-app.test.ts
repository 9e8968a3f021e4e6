import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { chromiumSkipReason, launchChromium } from '../helpers/chromium.js'
import { mariadbSkipReason } from '../helpers/mariadb.js'
import { startBuiltServer, type RunningServer } from '../helpers/nuxt.js'
import { freePort } from '../helpers/ports.js'
import { redisSkipReason, startRedis, type RedisHandle } from '../helpers/redis.js'
import { startCuttableProxy, type CuttableProxy } from '../helpers/tcp-proxy.js'
import { accounts, getMessages, login, openChatPage, postMessage, shownMessageIds, shownMessages, streamHeaders, useTutorSchoolDatabase, waitForMessages, type ChatPage } from '../helpers/tutor-school.js'
import { json, openRaw, type RawStream } from '../runtime/helpers/sse-client.js'
import { itTypechecksAndBuilds, requireBuilt, usePreparedFixture } from './build.js'
import { expectOnceInOrder, expectSettled, messageArrives, pageMessageArrives, readReceiptReachesSender, refusedSendKeepsDraft, signInAndOpenRoom, staysOnlineAfterLeavingRoom, typingIsShown } from './conversation.js'

/**
 * Issue 7: the app the real CLI leaves behind type-checks, builds with real Nuxt 4 and chats over
 * SSE in a real browser, on one instance and on two instances sharing a real redis-server and one
 * MariaDB. One build serves every test of the file.
 */
const browserSkip = chromiumSkipReason() || mariadbSkipReason()
const redisSkip = redisSkipReason()
const room = accounts.student.room

describe('the migrated tutor-school app', () => {
  const fixture = usePreparedFixture('tutor-school', { migrate: true }, 180_000)

  it('is migrated by the real CLI', () => {
    const migration = fixture().migration!
    expect(migration.exitCode, migration.output).toBe(0)
    const { appDir } = fixture()
    expect(existsSync(join(appDir, 'server/api/chat/events.get.ts'))).toBe(true)
    expect(existsSync(join(appDir, 'app/composables/useChatSSE.ts'))).toBe(true)
    expect(existsSync(join(appDir, 'server/plugins/socket.io.ts'))).toBe(false)
  })

  itTypechecksAndBuilds(fixture)

  describe.skipIf(browserSkip)('one instance: a conversation in chromium', () => {
    const database = useTutorSchoolDatabase('tutor-school')
    let server: RunningServer
    let proxy: CuttableProxy
    let browser: Browser
    let a: ChatPage
    let b: ChatPage
    let studentToken: string
    let tutorToken: string
    let tutorStream: RawStream
    const streams: RawStream[] = []

    beforeAll(async () => {
      server = await startBuiltServer(requireBuilt(fixture()), await freePort(), database.env())
      // A reaches the server through a proxy the test can cut, like a dropped network
      proxy = await startCuttableProxy(server.port)
      browser = await launchChromium()
      studentToken = await login(server.url, accounts.student.email)
      tutorToken = await login(server.url, accounts.tutor.email)
      a = await openChatPage(browser, proxy.url, studentToken, room)
      b = await openChatPage(browser, server.url, tutorToken, room)
      tutorStream = await openRaw(`${server.url}/api/chat/events`, streamHeaders(tutorToken))
      streams.push(tutorStream)
      expect(tutorStream.status, tutorStream.body).toBe(200)
    }, 120_000)

    afterAll(async () => {
      for (const stream of streams) stream.close()
      await browser?.close()
      await proxy?.close()
      await server?.stop()
    })

    it('lets a signed-out user sign in, pick the room and go live', async () => {
      await signInAndOpenRoom(browser, server.url, accounts.student.email, room)
    })

    it('keeps the header online after leaving the chat page', async () => {
      await staysOnlineAfterLeavingRoom(browser, server.url, studentToken, room)
    })

    it('shows A the message B sends through the REST API', async () => {
      await messageArrives(a, server.url, tutorToken, room, 'Homework: exercise 3.2, page 41')
    })

    it('shows B the message A sends from the page', async () => {
      await pageMessageArrives(a, b, 'Kru, is exercise 3.2 due on Friday?')
    })

    it('shows A that B is typing', async () => {
      await typingIsShown(a, b, accounts.tutor.name)
    })

    it('sends B messages_read when A marks the room read', async () => {
      const from = tutorStream.frames.length
      await readReceiptReachesSender(a, b, 'Homework: exercise 3.2, page 41')
      const receipt = await tutorStream.next((frame) => frame.event === 'messages_read', 5_000, from)
      expect(json<{ roomId: number, readerId: number }>(receipt)).toMatchObject({ roomId: room, readerId: accounts.student.id })
    })

    it('replays the messages B sent while A was cut off, once and in order', async () => {
      const missed = ['While you were offline: 1/2', 'While you were offline: 2/2']
      proxy.cut()
      await a.page.locator('[data-testid="connection-status"][data-connected="false"]').waitFor({ timeout: 10_000 })
      for (const text of missed) await postMessage(server.url, tutorToken, room, text)
      expect(await shownMessages(a.page)).not.toContain(missed[0])

      proxy.restore()
      expectOnceInOrder(await waitForMessages(a.page, missed, 30_000), missed)
      await expectSettled(a, missed)
      await a.page.locator('[data-testid="connection-status"][data-connected="true"]').waitFor({ timeout: 10_000 })
    }, 60_000)

    it('keeps the JWT out of the stream URL', () => {
      const streamRequests = a.requests.filter((request) => new URL(request.url).pathname === '/api/chat/events')
      expect(streamRequests.length, 'A\'s page opened the stream').toBeGreaterThan(0)
      for (const request of streamRequests) expect(request.url).not.toContain(studentToken)
    })

    it('never sends A the events of a room A is not in', async () => {
      const observer = await openRaw(`${server.url}/api/chat/events`, streamHeaders(studentToken))
      streams.push(observer)
      expect(observer.status, observer.body).toBe(200)
      const otherTutorToken = await login(server.url, accounts.otherTutor.email)

      await postMessage(server.url, otherTutorToken, accounts.otherTutor.room, 'Room 2 only: see you Tuesday')
      // Emitted after the room-2 message on the same instance: once it is here, the other would be too
      await postMessage(server.url, tutorToken, room, 'Room 1 marker')
      await observer.next((frame) => frame.data.includes('Room 1 marker'), 10_000)
      await waitForMessages(a.page, ['Room 1 marker'])

      expect(observer.frames.filter((frame) => frame.data.includes('Room 2 only'))).toEqual([])
      expect(observer.frames.filter((frame) => frame.data.includes(`"roomId":${accounts.otherTutor.room}`))).toEqual([])
      expect(await shownMessages(a.page)).not.toContain('Room 2 only: see you Tuesday')
    })

    it('shows A the error of a send the server refuses, and keeps the draft', async () => {
      await refusedSendKeepsDraft(a, b)
    })

    it('shuts down with open streams in under 2 s', async () => {
      expect(tutorStream.isEnded()).toBe(false)
      const elapsed = await server.stop()
      expect(elapsed, server.output()).toBeLessThan(2_000)
      await tutorStream.ended
    })
  })

  describe.skipIf(browserSkip || redisSkip)('two instances sharing redis-server and MariaDB', () => {
    const database = useTutorSchoolDatabase('tutor-school')
    let env: Record<string, string>
    let redis: RedisHandle
    let first: RunningServer
    let second: RunningServer
    let browser: Browser
    let a: ChatPage
    let studentToken: string
    let tutorToken: string

    beforeAll(async () => {
      const appDir = requireBuilt(fixture())
      redis = await startRedis()
      env = { ...database.env(), NUXT_SSE_REDIS_URL: redis.url, NUXT_SSE_TICKET_SECRET: 'e2e-ticket-secret-shared-by-instances' }
      ;[first, second] = await Promise.all([
        freePort().then((port) => startBuiltServer(appDir, port, env)),
        freePort().then((port) => startBuiltServer(appDir, port, env)),
      ])
      browser = await launchChromium()
      // Each instance signs with the same JWT secret, so a token from one is good on the other
      studentToken = await login(first.url, accounts.student.email)
      tutorToken = await login(second.url, accounts.tutor.email)
      a = await openChatPage(browser, first.url, studentToken, room)
    }, 120_000)

    afterAll(async () => {
      await browser?.close()
      await first?.stop()
      await second?.stop()
      await redis?.stop()
    })

    it('shows A on instance 1 the message B posts to instance 2', async () => {
      await messageArrives(a, second.url, tutorToken, room, 'Across instances: lesson moved to 16:00')
    })

    it('saves through either instance into one database: what instance 1 stored, instance 2 reads, under one sequence of ids', async () => {
      const viaFirst = await postMessage(first.url, studentToken, room, 'Stored through instance 1')
      const viaSecond = await postMessage(second.url, tutorToken, room, 'Stored through instance 2')
      expect(viaSecond.id, 'ids come from one sequence').toBeGreaterThan(viaFirst.id)

      const readThroughSecond = await getMessages(second.url, tutorToken, room)
      expect(readThroughSecond.filter((message) => message.content === viaFirst.content)).toEqual([viaFirst])
      const readThroughFirst = await getMessages(first.url, studentToken, room)
      expect(readThroughFirst).toEqual(readThroughSecond)
      const ids = readThroughFirst.map((message) => message.id)
      expect(new Set(ids).size, `ids ${ids.join(', ')}`).toBe(ids.length)
      expectOnceInOrder(await waitForMessages(a.page, [viaFirst.content, viaSecond.content]), [viaFirst.content, viaSecond.content])
    })

    it('replays what B sent while instance 1 restarted, once and in order', async () => {
      const missed = ['During the deploy: 1/3', 'During the deploy: 2/3', 'During the deploy: 3/3']
      const appDir = requireBuilt(fixture())
      const elapsed = await first.stop()
      expect(elapsed, `shutdown of instance 1 with A connected:\n${first.output()}`).toBeLessThan(2_000)
      for (const text of missed) await postMessage(second.url, tutorToken, room, text)

      first = await startBuiltServer(appDir, first.port, env)
      expectOnceInOrder(await waitForMessages(a.page, missed, 30_000), missed)
      await expectSettled(a, missed)
    }, 60_000)

    it('shows the whole conversation from the database once each when A reloads the page on the restarted instance', async () => {
      const stored = await getMessages(second.url, tutorToken, room)
      const conversation = stored.map((message) => message.content)
      expect(conversation).toEqual(expect.arrayContaining(['Across instances: lesson moved to 16:00', 'During the deploy: 3/3']))

      await a.page.reload()
      await a.page.locator('[data-testid="connection-status"][data-connected="true"]').waitFor({ timeout: 15_000 })
      const shown = await waitForMessages(a.page, conversation)
      expect(shown).toEqual(conversation)
      expect(await shownMessageIds(a.page)).toEqual(stored.map((message) => message.id))
      await expectSettled(a, conversation)
    }, 60_000)
  })
})
