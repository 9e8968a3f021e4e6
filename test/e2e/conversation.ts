import { expect } from 'vitest'
import type { Browser } from 'playwright-core'
import type { ChatPage } from '../helpers/tutor-school.js'
import { demoPassword, openChatPage, postMessage, shownMessages, waitForMessages } from '../helpers/tutor-school.js'

/**
 * The parts of the issue-7 conversation a user sees on the page, shared by the migrated app and
 * the un-migrated control: they must behave the same before and after the migration.
 */

/** Every text appears exactly once and in this order among the page's messages. */
export function expectOnceInOrder(shown: string[], texts: string[]): void {
  for (const text of texts) expect(shown.filter((content) => content === text), `"${text}" on the page`).toHaveLength(1)
  expect(shown.filter((content) => texts.includes(content))).toEqual(texts)
}

/** The page keeps showing exactly `texts` once each after a pause: no late duplicate from a replay. */
export async function expectSettled(page: ChatPage, texts: string[]): Promise<void> {
  await page.page.waitForTimeout(1_500)
  expectOnceInOrder(await shownMessages(page.page), texts)
}

/** B sends through the REST API; A's open chat page shows the message. */
export async function messageArrives(a: ChatPage, serverUrl: string, tutorToken: string, roomId: number, text: string): Promise<void> {
  await postMessage(serverUrl, tutorToken, roomId, text)
  const shown = await waitForMessages(a.page, [text])
  expect(shown.filter((content) => content === text)).toHaveLength(1)
}

/** A writes in the page's composer and presses Send; A's page shows the message once, the composer empty and no error. */
export async function sendFromPage(a: ChatPage, text: string): Promise<void> {
  await a.page.getByTestId('message-input').fill(text)
  await a.page.getByTestId('send-button').click()
  const shown = await waitForMessages(a.page, [text])
  expect(shown.filter((content) => content === text)).toHaveLength(1)
  await expect.poll(() => a.page.getByTestId('message-input').inputValue()).toBe('')
  expect(await a.page.getByTestId('chat-error').count()).toBe(0)
}

/** A writes in the page's composer and presses Send; A's and B's pages each show the message once. */
export async function pageMessageArrives(a: ChatPage, b: ChatPage, text: string): Promise<void> {
  await sendFromPage(a, text)
  const shown = await waitForMessages(b.page, [text])
  expect(shown.filter((content) => content === text)).toHaveLength(1)
}

/** B types on B's page; A's page shows B typing, and stops showing it once B goes quiet. */
export async function typingIsShown(a: ChatPage, b: ChatPage, typistName: string): Promise<void> {
  const indicator = a.page.getByTestId('typing-indicator')
  await expect.poll(() => indicator.innerText(), { timeout: 2_000 }).toBe('')
  await b.page.getByTestId('message-input').pressSequentially('Let me chec', { delay: 20 })
  await expect.poll(() => indicator.innerText(), { timeout: 10_000, interval: 100 }).toContain(`${typistName} is typing`)
  // The page sends stop_typing after 2 s without a keystroke
  await expect.poll(() => indicator.innerText(), { timeout: 10_000, interval: 200 }).toBe('')
  await b.page.getByTestId('message-input').fill('')
}

/** A marks the room read; the receipts on B's page turn from "Sent" to "Read". */
export async function readReceiptReachesSender(a: ChatPage, b: ChatPage, bMessageText: string): Promise<void> {
  const receipt = b.page.getByTestId('message').filter({ hasText: bMessageText }).getByTestId('read-receipt')
  await expect.poll(() => receipt.innerText(), { timeout: 10_000 }).toBe('Sent')
  await a.page.getByTestId('mark-read').click()
  await expect.poll(() => receipt.innerText(), { timeout: 10_000, interval: 100 }).toBe('Read')
}

/** A signed-out visitor is sent to the login page, signs in, picks the room from the room list and goes live. */
export async function signInAndOpenRoom(browser: Browser, baseUrl: string, email: string, roomId: number): Promise<void> {
  const context = await browser.newContext({ baseURL: baseUrl })
  try {
    const page = await context.newPage()
    page.setDefaultTimeout(15_000)
    await page.goto(`/chat/${roomId}`)
    await page.waitForURL('**/login')
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password').fill(demoPassword)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByTestId(`room-${roomId}`).getByRole('link').click()
    await page.waitForURL(`**/chat/${roomId}`)
    await page.locator('[data-testid="connection-status"][data-connected="true"]').waitFor()
    await expect.poll(() => page.getByTestId('online-indicator').innerText()).toContain('Online')
  } finally {
    await context.close()
  }
}

/** Back from the chat page to the room list, the header's indicator still says the user is online. */
export async function staysOnlineAfterLeavingRoom(browser: Browser, baseUrl: string, token: string, roomId: number): Promise<void> {
  const chat = await openChatPage(browser, baseUrl, token, roomId)
  try {
    await expect.poll(() => chat.page.getByTestId('online-indicator').innerText()).toContain('Online')
    await chat.page.getByRole('link', { name: '← Rooms' }).click()
    await chat.page.getByTestId('room-list').waitFor()
    // Give a wrongly closed connection time to show: the indicator must still be online afterwards
    await chat.page.waitForTimeout(1_500)
    expect(await chat.page.getByTestId('online-indicator').innerText()).toContain('Online')
  } finally {
    await chat.close()
  }
}

/**
 * A sends a message the server refuses (longer than the app allows, past the input's own limit): A's page shows the app's error
 * and keeps the draft, and B never sees it. Leaves the error shown, so it runs last in a suite.
 */
export async function refusedSendKeepsDraft(a: ChatPage, b: ChatPage): Promise<void> {
  const draft = `Too long to send ${'.'.repeat(2_100)}`
  const from = a.requests.length
  const input = a.page.getByTestId('message-input')
  // The input stops at the app's limit; without that attribute only the server's own check is left.
  await input.evaluate((element) => element.removeAttribute('maxlength'))
  await input.fill(draft)
  await a.page.getByTestId('send-button').click()
  const error = a.page.getByTestId('chat-error')
  const seen = () => `requests: ${a.requests.slice(from).map((r) => `${r.method} ${r.url} ${r.body?.slice(0, 60) ?? ''}`).join('; ')}; browser: ${a.problems.join('; ')}`
  try {
    await expect.poll(() => error.count(), { timeout: 10_000 }).toBe(1)
  } catch (failure) {
    throw new Error(`the page showed no error for a refused send; ${seen()}`, { cause: failure })
  }
  expect((await error.innerText()).trim()).not.toBe('')
  expect(await a.page.getByTestId('message-input').inputValue()).toBe(draft)
  await b.page.waitForTimeout(500)
  expect(await shownMessages(b.page)).not.toContain(draft)
}
