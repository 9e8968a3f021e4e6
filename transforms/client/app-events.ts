import type { TransformContext } from '../../src/transform.js'
import { eventName } from '../../src/analysis/event-name.js'

/**
 * What the client side can know of the app's events as a whole: which events the app's own server
 * code emits (when every emit names its event and the connection handler is in view), how many
 * client emits each event has, and which per-event notes were already given, so that a note about
 * an event is given once, not at every call site.
 */
export class AppEvents {
  /** Events the server emits; undefined when some emit's event is only known at run time, or the server is not in view. */
  readonly emitted: ReadonlySet<string> | undefined
  /** Client emits per event, across every script. */
  readonly clientEmits: ReadonlyMap<string, number>
  private readonly noted = new Set<string>()

  constructor(ctx: TransformContext) {
    this.emitted = ctx.model.serverEvents
    const counts = new Map<string, number>()
    for (const script of ctx.model.client.scripts) {
      for (const use of script.members) {
        const event = (use.name === 'emit' || use.name === 'emitWithAck') && use.call ? eventName(use.call.getArguments()[0]) : undefined
        if (event !== undefined) counts.set(event, (counts.get(event) ?? 0) + 1)
      }
    }
    this.clientEmits = counts
  }

  /** True the first time a note of this kind is given for this event. */
  firstNote(kind: string, event: string): boolean {
    const key = `${kind}\0${event}`
    if (this.noted.has(key)) return false
    this.noted.add(key)
    return true
  }
}
