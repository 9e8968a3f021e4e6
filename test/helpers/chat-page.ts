import type { Browser, BrowserContext, Page } from 'playwright-core'

export interface ChatPage {
  context: BrowserContext
  page: Page
  /** Browser console errors and failed page loads, for failure messages. */
  problems: string[]
  /** Every request the page made, in order. */
  requests: Array<{ method: string, url: string, body: string | null }>
  close(): Promise<void>
}

export interface LivePageOptions {
  /** Cookies set on `baseUrl` before the page loads (the app's session). */
  cookies: Array<{ name: string, value: string, httpOnly?: boolean }>
  path: string
  /** A selector that shows the page is ready besides the live connection status. */
  readySelector?: string
}

const LIVE = '[data-testid="connection-status"][data-connected="true"]'

/**
 * A fresh browser context with the app's session cookies, `path` open, and the page's
 * `connection-status` saying it is live (and `readySelector` shown). Records the page's requests
 * and browser errors for failure messages.
 */
export async function openLivePage(browser: Browser, baseUrl: string, options: LivePageOptions): Promise<ChatPage> {
  const context = await browser.newContext({ baseURL: baseUrl })
  await context.addCookies(options.cookies.map((cookie) => ({ ...cookie, url: baseUrl })))
  const page = await context.newPage()
  page.setDefaultTimeout(15_000)
  const problems: string[] = []
  const requests: ChatPage['requests'] = []
  page.on('request', (request) => requests.push({ method: request.method(), url: request.url(), body: request.postData() }))
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`)
  })
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`))
  await page.goto(options.path)
  try {
    await page.locator(LIVE).waitFor({ timeout: 15_000 })
    if (options.readySelector) await page.locator(options.readySelector).waitFor({ timeout: 15_000 })
  } catch (error) {
    await context.close()
    throw new Error(`${options.path} never showed a live connection. Browser problems:\n${problems.join('\n') || '(none)'}`, { cause: error })
  }
  return { context, page, problems, requests, close: () => context.close() }
}
