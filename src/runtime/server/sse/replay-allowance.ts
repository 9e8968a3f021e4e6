const WINDOW_MS = 60_000

/**
 * Log entries each user's replays may read per minute, on this instance. A replay from an old cursor
 * reads the whole log after it (tens of milliseconds of CPU on a long Redis log): without a bound,
 * a client reconnecting in a loop with its oldest cursor would keep the instance busy for everyone.
 */
export class ReplayAllowance {
  private readonly used = new Map<string, { since: number; entries: number }>()
  private lastSweep = 0

  constructor(private readonly entriesPerMinute: number) {}

  /** Milliseconds until the user may replay again, or 0 when they may now. */
  waitFor(userKey: string, now = Date.now()): number {
    this.sweep(now)
    const spent = this.used.get(userKey)
    if (!spent || now - spent.since >= WINDOW_MS || spent.entries < this.entriesPerMinute) return 0
    return spent.since + WINDOW_MS - now
  }

  spend(userKey: string, entries: number, now = Date.now()): void {
    if (entries <= 0) return
    const spent = this.used.get(userKey)
    if (!spent || now - spent.since >= WINDOW_MS) this.used.set(userKey, { since: now, entries })
    else spent.entries += entries
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < WINDOW_MS) return
    this.lastSweep = now
    for (const [user, spent] of this.used) if (now - spent.since >= WINDOW_MS) this.used.delete(user)
  }
}
