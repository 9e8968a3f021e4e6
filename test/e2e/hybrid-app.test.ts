import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { chromiumSkipReason, launchChromium } from '../helpers/chromium.js'
import { mariadbSkipReason } from '../helpers/mariadb.js'
import { startBuiltServer, type RunningServer } from '../helpers/nuxt.js'
import { freePort } from '../helpers/ports.js'
import { accounts, login, openChatPage, useTutorSchoolDatabase, type ChatPage } from '../helpers/tutor-school.js'
import { itTypechecksAndBuilds, requireBuilt, usePreparedFixture } from './build.js'
import { pageMessageArrives, refusedSendKeepsDraft } from './conversation.js'

/**
 * fixtures/tutor-school-hybrid: the `room_presence` handler asks Socket.IO which sockets are in a
 * room, which nothing on SSE can answer, so it stays. The migrated app must chat over SSE and still
 * show who is in the room over the Socket.IO server it kept for that one event.
 */
const browserSkip = chromiumSkipReason() || mariadbSkipReason()
const room = accounts.student.room

describe('the migrated tutor-school-hybrid app', () => {
  const fixture = usePreparedFixture('tutor-school-hybrid', { migrate: true }, 180_000)

  it('is migrated by the real CLI, keeping Socket.IO for the one event that stays', () => {
    const migration = fixture().migration!
    expect(migration.exitCode, migration.output).toBe(0)
    const { appDir } = fixture()
    expect(existsSync(join(appDir, 'server/api/chat/send-message.post.ts'))).toBe(true)
    expect(existsSync(join(appDir, 'server/api/chat/room-presence.post.ts'))).toBe(false)
    expect(readFileSync(join(appDir, 'server/plugins/socket.io.ts'), 'utf8')).toContain("socket.on('room_presence'")
    expect(readFileSync(join(appDir, 'app/composables/useChat.ts'), 'utf8')).toContain("events: ['room_presence']")
  })

  itTypechecksAndBuilds(fixture)

  describe.skipIf(browserSkip)('in chromium, on MariaDB', () => {
    const database = useTutorSchoolDatabase('tutor-school-hybrid')
    let server: RunningServer
    let browser: Browser
    let a: ChatPage
    let b: ChatPage

    beforeAll(async () => {
      server = await startBuiltServer(requireBuilt(fixture()), await freePort(), database.env())
      browser = await launchChromium()
      a = await openChatPage(browser, server.url, await login(server.url, accounts.student.email), room)
      b = await openChatPage(browser, server.url, await login(server.url, accounts.tutor.email), room)
    }, 120_000)

    afterAll(async () => {
      await browser?.close()
      await server?.stop()
    })

    it('chats over SSE: each page posts to the generated route and shows the other side\'s message', async () => {
      const before = a.requests.length
      await pageMessageArrives(a, b, 'Kru, I finished the quiz')
      await pageMessageArrives(b, a, 'Great work, Ploy!')
      const sends = a.requests.slice(before).filter((request) => request.method === 'POST' && request.url.endsWith('/api/chat/send-message'))
      expect(sends).toHaveLength(1)
      expect(a.problems).toEqual([])
    })

    it('shows who is in the room, answered by the Socket.IO server kept for that event', async () => {
      // Both users have the room open: the kept handler finds both of their sockets in it.
      await b.page.getByTestId('refresh-presence').click()
      await expect.poll(() => b.page.getByTestId('present-count').innerText(), { timeout: 10_000 }).toBe('2')
      await a.close()
      await expect.poll(async () => {
        await b.page.getByTestId('refresh-presence').click()
        return b.page.getByTestId('present-count').innerText()
      }, { timeout: 15_000, interval: 500 }).toBe('1')
      expect(b.requests.filter((request) => request.url.includes('room-presence')), 'no HTTP route answered it').toEqual([])
      expect(b.problems).toEqual([])
    })

    it('shows B the error of a send the server refuses, and keeps the draft', async () => {
      a = await openChatPage(browser, server.url, await login(server.url, accounts.student.email), room)
      await refusedSendKeepsDraft(b, a)
    })
  })
})
