import type { CallExpression, Node } from 'ts-morph'
import type { AppEvents } from './app-events.js'
import type { KeptSocketIO } from './kept.js'
import type { LifecyclePair } from './lifecycle-pair.js'
import { urlParams } from './routes.js'
import type { ClientScript } from '../../src/analysis/client/types.js'
import type { FollowUp } from '../../src/followups.js'
import { quoteString } from '../../src/style/apply.js'
import { detectStyle } from '../../src/style/detect.js'
import type { CodeStyle } from '../../src/style/types.js'
import type { FollowUpTarget, TransformContext } from '../../src/transform.js'
import { identifierNames } from '../../src/ast/walk.js'
import { replaceFileText } from '../../src/ast/edit.js'

/** The shared stream's type, exported by the runtime composable the sse-runtime transform installs in the app dir. */
export const STREAM_TYPE = 'ChatSSE'
export const STREAM_TYPE_MODULE = '~/composables/useChatSSE'

interface Patch {
  start: number
  end: number
  text: string
  /** Order of staging, so insertions at one position keep it. */
  seq: number
  /** A removal swallows every other patch inside it (an emit inside a removed handler). */
  removal?: boolean
}

/** One script block being migrated: the transform context plus the block's own style. */
export class ScriptEditor {
  readonly style: CodeStyle
  /** Vue helpers the rewritten code calls (`shallowRef`, `markRaw` ...), added to an explicit `vue` import if the file has one. */
  readonly vueNames = new Set<string>()
  readonly vueTypeNames = new Set<string>()
  /** Lifecycle listeners removed later with `off`, by call (see lifecycle.ts). */
  lifecyclePairs = new Map<CallExpression, LifecyclePair>()
  /** Identifiers read only by io() arguments that were dropped; variables left unused by that are removed. */
  readonly droppedNames = new Set<string>()
  /** The rewrite wrote `ChatSSE`, which needs a type import. */
  usesStreamType = false
  /** Vue helpers the rewrite replaced (`ref`, `readonly`): dropped from an explicit import once unused. */
  readonly replacedVueNames = new Set<string>()
  /** Set while the block is only inspected (a plugin about to be deleted), so nothing is reported twice. */
  muted = false
  /** What stays on Socket.IO: its events' calls are left as written, and every socket stays beside the stream for it. */
  kept: KeptSocketIO | undefined
  /** The app's events as a whole, shared by every script of the run. */
  appEvents: AppEvents | undefined

  constructor(
    readonly ctx: TransformContext,
    readonly script: ClientScript,
  ) {
    // A .vue file's template attributes are double-quoted whatever its script does: judge the block alone.
    this.style = script.unit.kind === 'vue' ? detectStyle(script.block.sourceFile.getFullText(), ctx.styleOf(script.unit.path)) : ctx.styleOf(script.unit.path)
  }

  quote(value: string): string {
    return quoteString(value, this.style.quote)
  }

  private readonly patches: Patch[] = []

  /** Replaces a node's text (without its leading trivia). */
  replace(node: Node, text: string): void {
    this.replaceRange(node.getStart(), node.getEnd(), text)
  }

  replaceRange(start: number, end: number, text: string): void {
    this.patches.push({ start, end, text, seq: this.patches.length })
  }

  insert(pos: number, text: string): void {
    this.replaceRange(pos, pos, text)
  }

  /** Adds a statement on its own line after another, with the same indentation. */
  insertStatementAfter(statement: Node, code: string): void {
    this.insert(statement.getEnd(), `\n${indentationOf(statement)}${code}${this.style.semicolons ? ';' : ''}`)
  }

  /** Removes a statement (or an object member, with its comma) with its line. */
  removeStatement(statement: Node): void {
    const text = statement.getSourceFile().getFullText()
    const lineStart = text.lastIndexOf('\n', statement.getStart() - 1)
    const end = text[statement.getEnd()] === ',' ? statement.getEnd() + 1 : statement.getEnd()
    this.patches.push({ start: lineStart === -1 ? statement.getStart() : lineStart, end, text: '', seq: this.patches.length, removal: true })
  }

  /**
   * Applies every patch at once. Patches are computed from the untouched syntax tree and never
   * overlap (an edit around another one is split into the pieces around it), so nested rewrites,
   * such as an emit inside a `connect` handler, compose without re-reading the tree.
   */
  applyPatches(): boolean {
    if (this.patches.length === 0) return false
    const sf = this.script.block.sourceFile
    let text = sf.getFullText()
    const removals = this.patches.filter((p) => p.removal)
    const kept = this.patches.filter((p) => p.removal || !removals.some((r) => r.start <= p.start && p.end <= r.end))
    const ordered = kept.sort((a, b) => b.start - a.start || b.end - a.end || b.seq - a.seq)
    let limit = Infinity
    for (const patch of ordered) {
      if (patch.end > limit) throw new Error(`${this.script.unit.path}: overlapping client edits at ${patch.start}-${patch.end}`)
      text = text.slice(0, patch.start) + patch.text + text.slice(patch.end)
      limit = patch.start
    }
    replaceFileText(sf, text)
    return true
  }

  private tableName: string | undefined

  /**
   * The name of a file-level lookup (`chatEventRoute(event)`) over a table of every route without
   * path parameters, for emits whose event name is only known at run time; staged at the top of
   * the file on first use. An event without a route throws instead of posting to nowhere.
   */
  routeTable(): string | undefined {
    if (this.tableName) return this.tableName
    const entries = new Map<string, string>()
    for (const [event, route] of this.ctx.model.eventRoutes) if (route.status !== 'dropped' && urlParams(route.url).length === 0) entries.set(event, route.url)
    for (const [event, config] of Object.entries(this.ctx.config.events)) {
      if (!entries.has(event) && !this.ctx.model.eventRoutes.has(event) && config.existing && urlParams(config.existing).length === 0) entries.set(event, config.existing)
    }
    if (entries.size === 0) return undefined
    const sf = this.script.block.sourceFile
    const taken = identifierNames(sf)
    let name = 'chatEventRoute'
    for (let n = 2; taken.has(name) || taken.has(`${name}s`); n++) name = `chatEventRoute${n}`
    const semi = this.style.semicolons ? ';' : ''
    const key = (event: string): string => (/^[A-Za-z_$][\w$]*$/.test(event) ? event : this.quote(event))
    const lines = [...entries].sort(([a], [b]) => a.localeCompare(b)).map(([event, url]) => `${this.style.indent}${key(event)}: ${this.quote(url)},`)
    const ts = this.script.block.lang === 'ts'
    const i = this.style.indent
    const table = [
      `/** The REST routes that replaced the client→server socket events. */`,
      `const ${name}s${ts ? ': Record<string, string>' : ''} = {\n${lines.join('\n')}\n}${semi}`,
      '',
      `function ${name}(event${ts ? ': string' : ''})${ts ? ': string' : ''} {`,
      `${i}const url = ${name}s[event]${semi}`,
      `${i}if (!url) throw new Error(\`No route for the chat event \${event}\`)${semi}`,
      `${i}return url${semi}`,
      '}',
    ].join('\n')
    const imports = sf.getImportDeclarations()
    const last = imports[imports.length - 1]
    if (last) this.insert(last.getEnd(), `\n\n${table}`)
    else this.insert(sf.getStatements()[0]?.getStart() ?? 0, `${table}\n\n`)
    this.tableName = name
    return name
  }

  report(node: Node, kind: string, reason: string, action: string, severity: FollowUp['severity'] = 'warning'): void {
    this.reportAt(node, kind, reason, action, severity)
  }

  reportAt(target: FollowUpTarget, kind: string, reason: string, action: string, severity: FollowUp['severity'] = 'warning'): void {
    if (!this.muted) this.ctx.report(target, { kind, reason, action, severity })
  }
}

/** The whitespace before a node on its line. */
export function indentationOf(node: Node): string {
  const text = node.getSourceFile().getFullText()
  const lineStart = text.lastIndexOf('\n', node.getStart() - 1) + 1
  return /^[ \t]*/.exec(text.slice(lineStart, node.getStart()))![0]
}
