import { afterAll, beforeAll, describe, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { chromiumSkipReason, launchChromium } from '../helpers/chromium.js'
import { mariadbSkipReason } from '../helpers/mariadb.js'
import { startBuiltServer, type RunningServer } from '../helpers/nuxt.js'
import { freePort } from '../helpers/ports.js'
import { accounts, login, openChatPage, useTutorSchoolDatabase, type ChatPage } from '../helpers/tutor-school.js'
import { itTypechecksAndBuilds, requireBuilt, usePreparedFixture } from './build.js'
import { messageArrives, pageMessageArrives, readReceiptReachesSender, refusedSendKeepsDraft, signInAndOpenRoom, staysOnlineAfterLeavingRoom, typingIsShown } from './conversation.js'

/**
 * Control experiment: the fixture as the user has it (Socket.IO) type-checks, builds and chats with
 * the same page-level steps the migrated app must pass. When the migrated app fails one of those
 * steps and this suite passes, the migration broke it, not the fixture or the harness.
 */
const browserSkip = chromiumSkipReason() || mariadbSkipReason()
const room = accounts.student.room

describe('the un-migrated tutor-school fixture (Socket.IO control)', () => {
  const fixture = usePreparedFixture('tutor-school', { migrate: false }, 120_000)

  itTypechecksAndBuilds(fixture)

  describe.skipIf(browserSkip)('a conversation in chromium over Socket.IO, on MariaDB', () => {
    const database = useTutorSchoolDatabase('tutor-school')
    let server: RunningServer
    let browser: Browser
    let a: ChatPage
    let b: ChatPage
    let studentToken: string
    let tutorToken: string

    beforeAll(async () => {
      server = await startBuiltServer(requireBuilt(fixture()), await freePort(), database.env())
      browser = await launchChromium()
      studentToken = await login(server.url, accounts.student.email)
      tutorToken = await login(server.url, accounts.tutor.email)
      a = await openChatPage(browser, server.url, studentToken, accounts.student.room)
      b = await openChatPage(browser, server.url, tutorToken, accounts.tutor.room)
    }, 120_000)

    afterAll(async () => {
      await browser?.close()
      await server?.stop()
    })

    it('lets a signed-out user sign in, pick the room and go live', async () => {
      await signInAndOpenRoom(browser, server.url, accounts.student.email, room)
    })

    it('keeps the header online after leaving the chat page', async () => {
      await staysOnlineAfterLeavingRoom(browser, server.url, studentToken, room)
    })

    it('shows A the message B sends through the REST API', async () => {
      await messageArrives(a, server.url, tutorToken, accounts.student.room, 'Control: homework is page 12')
    })

    it('shows B the message A sends from the page', async () => {
      await pageMessageArrives(a, b, 'Kru, is exercise 3.2 due on Friday?')
    })

    it('shows A that B is typing', async () => {
      await typingIsShown(a, b, accounts.tutor.name)
    })

    it('shows B that A has read the message', async () => {
      await readReceiptReachesSender(a, b, 'Control: homework is page 12')
    })

    it('shows A the error of a send the server refuses, and keeps the draft', async () => {
      await refusedSendKeepsDraft(a, b)
    })
  })
})
