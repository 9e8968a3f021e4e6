import type { Node } from 'ts-morph'
import type { ClientScript } from '../../src/analysis/client/types.js'
import type { FollowUp } from '../../src/followups.js'
import { quoteString } from '../../src/style/apply.js'
import type { CodeStyle } from '../../src/style/types.js'
import type { TransformContext } from '../../src/transform.js'

/** The shared stream's type, spelled so that it needs no import in a Nuxt app (useChatSSE is auto-imported). */
export const STREAM_TYPE = 'ReturnType<typeof useChatSSE>'

/** One script block being migrated: the transform context plus the block's own style. */
export class ScriptEditor {
  readonly style: CodeStyle
  /** Vue helpers the rewritten code calls (`shallowRef`, `markRaw` ...), added to an explicit `vue` import if the file has one. */
  readonly vueNames = new Set<string>()
  readonly vueTypeNames = new Set<string>()
  /** Vue helpers the rewrite replaced (`ref`, `readonly`): dropped from an explicit import once unused. */
  readonly replacedVueNames = new Set<string>()
  /** Set while the block is only inspected (a plugin about to be deleted), so nothing is reported twice. */
  muted = false

  constructor(
    readonly ctx: TransformContext,
    readonly script: ClientScript,
  ) {
    this.style = ctx.styleOf(script.unit.path)
  }

  quote(value: string): string {
    return quoteString(value, this.style.quote)
  }

  report(node: Node, kind: string, reason: string, action: string, severity: FollowUp['severity'] = 'warning'): void {
    if (!this.muted) this.ctx.report(node, { kind, reason, action, severity })
  }
}
