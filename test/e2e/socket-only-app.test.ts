import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { chromiumSkipReason, launchChromium } from '../helpers/chromium.js'
import { mariadbSkipReason } from '../helpers/mariadb.js'
import { startBuiltServer, type RunningServer } from '../helpers/nuxt.js'
import { freePort } from '../helpers/ports.js'
import { accounts, login, openChatPage, shownMessages, useTutorSchoolDatabase, waitForMessages, type ChatPage } from '../helpers/tutor-school.js'
import { itTypechecksAndBuilds, requireBuilt, usePreparedFixture } from './build.js'
import { pageMessageArrives, refusedSendKeepsDraft } from './conversation.js'

/**
 * fixtures/tutor-school-socket-only has no REST route for sending: `send_message` exists only as a
 * Socket.IO handler. After the migration the route the tool generated is the only way a message
 * gets sent, so chatting from the page proves that route works, and is guarded like the handler was.
 */
const browserSkip = chromiumSkipReason() || mariadbSkipReason()
const room = accounts.student.room

describe('the migrated tutor-school-socket-only app', () => {
  const fixture = usePreparedFixture('tutor-school-socket-only', { migrate: true }, 180_000)

  it('is migrated by the real CLI', () => {
    const migration = fixture().migration!
    expect(migration.exitCode, migration.output).toBe(0)
    expect(existsSync(join(fixture().appDir, 'server/plugins/socket.io.ts'))).toBe(false)
  })

  itTypechecksAndBuilds(fixture)

  describe.skipIf(browserSkip)('chatting from the page in chromium, on MariaDB', () => {
    const database = useTutorSchoolDatabase('tutor-school-socket-only')
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

    it('delivers what A sends from the page to B, and what B sends to A', async () => {
      await pageMessageArrives(a, b, 'Kru, I finished the quiz')
      await pageMessageArrives(b, a, 'Great work, Ploy!')
    })

    it('refuses the same request from a user who is not in the room', async () => {
      const before = a.requests.length
      await pageMessageArrives(a, b, 'One more question about 3.2')
      const sends = a.requests.slice(before).filter((request) => request.method === 'POST' && request.body?.includes('One more question about 3.2'))
      expect(sends, 'the page sent the message with one POST').toHaveLength(1)
      const send = sends[0]!

      const outsiderToken = await login(server.url, accounts.otherStudent.email)
      const forged = send.body!.replace('One more question about 3.2', 'Forged by someone outside the room')
      const response = await fetch(send.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${outsiderToken}`, cookie: `auth_token=${outsiderToken}` },
        body: forged,
        signal: AbortSignal.timeout(10_000),
      })
      expect(response.status, await response.text()).toBeGreaterThanOrEqual(400)
      expect(response.status).toBeLessThan(500)

      // A later message arrives; the forged one, sent before it, never does
      await pageMessageArrives(b, a, 'Ask away')
      expect(await shownMessages(a.page)).not.toContain('Forged by someone outside the room')
      expect(await waitForMessages(b.page, ['Ask away'])).not.toContain('Forged by someone outside the room')
    })

    it('shows A the error of a send the server refuses, and keeps the draft', async () => {
      await refusedSendKeepsDraft(a, b)
    })
  })
})
