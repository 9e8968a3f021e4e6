import { existsSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'

/** Debian's chromium; playwright-core drives it, nothing is downloaded. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/**
 * Skip reason when chromium is missing locally; under CI a missing browser fails instead.
 * Usage: `describe.skipIf(chromiumSkipReason())(...)`.
 */
export function chromiumSkipReason(): string | false {
  if (existsSync(chromiumPath)) return false
  if (process.env.CI === 'true') throw new Error(`chromium is required under CI=true but ${chromiumPath} does not exist`)
  const reason = `chromium not found at ${chromiumPath}: skipping browser tests`
  console.warn(reason)
  return reason
}

/** Headless chromium with a fresh temporary profile (playwright creates and deletes it) and no background traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    timeout: 30_000,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  })
}
