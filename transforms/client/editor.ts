import type { CallExpression, Identifier, Node } from 'ts-morph'
import type { AppEvents } from './app-events.js'
import type { KeptSocketIO } from './kept.js'
import type { LifecyclePair } from './lifecycle-pair.js'
import { urlParams } from './routes.js'
import type { ClientScript } from '../../src/analysis/client/types.js'
import { followUpInput } from '../../src/followups.js'
import type { FollowUpKind, SeverityArgument } from '../../src/followup-catalogue.js'
import { quoteString } from '../../src/style/apply.js'
import { detectStyle } from '../../src/style/detect.js'
import type { CodeStyle } from '../../src/style/types.js'
import type { FollowUpTarget, TransformContext } from '../../src/transform.js'
import { identifierNames, identifiers } from '../../src/ast/walk.js'
import { freeName } from '../../src/text/free-name.js'
import { statementCut } from '../shared/statement-removal.js'
import { indentOf } from '../shared/reindent.js'

/** The shared stream's type, exported by the runtime composable the sse-runtime transform installs in the app dir. */
export const STREAM_TYPE = 'ChatSSE'
export const STREAM_TYPE_MODULE = '~/composables/useChatSSE'

/** A text edit of the block, in its original (unedited) coordinates. */
export interface BlockEdit {
  start: number
  end: number
  text: string
}

interface Patch extends BlockEdit {
  /** Order of staging, so insertions at one position keep it. */
  seq: number
  /**
   * A removal swallows every other patch inside it (an emit inside a removed handler). A `line`
   * removal also swallows insertions at its edges; a `statement` removal (cut as ts-morph's
   * `remove()` cuts, from the end of the statement before) leaves them to its neighbours.
   */
  removal?: 'line' | 'statement'
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
  private seq = 0

  /** Replaces a node's text (without its leading trivia). */
  replace(node: Node, text: string): void {
    this.replaceRange(node.getStart(), node.getEnd(), text)
  }

  replaceRange(start: number, end: number, text: string): void {
    this.patches.push({ start, end, text, seq: this.seq++ })
  }

  insert(pos: number, text: string): void {
    this.replaceRange(pos, pos, text)
  }

  /** Adds a statement on its own line after another, with the same indentation. */
  insertStatementAfter(statement: Node, code: string): void {
    this.insert(statement.getEnd(), `\n${indentOf(statement)}${code}${this.style.semicolons ? ';' : ''}`)
  }

  /** Removes a statement (or an object member, with its comma) with its line. */
  removeStatement(statement: Node): void {
    const text = statement.getSourceFile().getFullText()
    const lineStart = text.lastIndexOf('\n', statement.getStart() - 1)
    const end = text[statement.getEnd()] === ',' ? statement.getEnd() + 1 : statement.getEnd()
    this.patches.push({ start: lineStart === -1 ? statement.getStart() : lineStart, end, text: '', seq: this.seq++, removal: 'line' })
  }

  /**
   * Removes a whole statement (or import) as ts-morph's `remove()` does, from the end of the
   * statement before; one removed next to another is cut with it.
   */
  cutStatement(statement: Node): void {
    const cut = statementCut(statement, (sibling) => this.isRemoved(sibling))
    const inside = this.patches.filter((p) => p.removal === 'statement' && cut.start <= p.start && p.end <= cut.end)
    for (const patch of inside) this.patches.splice(this.patches.indexOf(patch), 1)
    this.patches.push({ ...cut, seq: this.seq++, removal: 'statement' })
  }

  /** The staged patches that take effect: those inside a removal go with it. */
  private live(): Patch[] {
    const removals = this.patches.filter((p) => p.removal)
    return this.patches.filter((p) => p.removal || !removals.some((r) => swallows(r, p)))
  }

  /**
   * Where the block, once edited, still spells `name`: the identifiers of the original code that no
   * staged patch replaces or removes, and whether some patch writes it (as a word that is not a
   * member name, `x.name`). What a later step of the migration decides about a name (is this import
   * still used, is this variable read, is that name free) is decided on this, never on an edited tree.
   */
  referencesAfterEdits(name: string): { kept: Identifier[]; written: boolean } {
    const live = this.live()
    const replaced = (id: Identifier): boolean => live.some((p) => p.start < p.end && p.start <= id.getStart() && id.getEnd() <= p.end)
    const word = wordPattern(name)
    return { kept: identifiers(this.script.block.sourceFile, name).filter((id) => !replaced(id)), written: live.some((p) => word.test(p.text)) }
  }

  /** A staged removal cuts this node out. */
  isRemoved(node: Node): boolean {
    const [start, end] = [node.getStart(), node.getEnd()]
    return this.live().some((p) => p.removal !== undefined && p.start <= start && end <= p.end)
  }

  /** The text of an original range once the staged patches inside it are applied. */
  editedText(start: number, end: number): string {
    const inside = this.live().filter((p) => start <= p.start && p.end <= end).sort(inTextOrder)
    return applyEdits(this.script.block.sourceFile.getFullText().slice(0, end), inside).slice(start)
  }

  /** Renames `from` to `to` in the text staged patches write (a renamed variable's uses inside rewritten code). */
  renameInStagedText(from: string, to: string): void {
    const word = wordPattern(from, 'g')
    for (const patch of this.live()) patch.text = patch.text.replace(word, to)
  }

  /**
   * Every edit of the block, in its original coordinates, computed from the untouched syntax tree.
   * Edits never overlap (an edit around another one is split into the pieces around it), so nested
   * rewrites, such as an emit inside a `connect` handler, compose without re-reading the tree.
   */
  edits(): BlockEdit[] {
    const ordered = this.live().sort(inTextOrder)
    let reached = 0
    for (const patch of ordered) {
      if (patch.start < reached) throw new Error(`${this.script.unit.path}: overlapping client edits at ${patch.start}-${patch.end}`)
      reached = patch.end
    }
    return ordered.map(({ start, end, text }) => ({ start, end, text }))
  }

  private tableName: string | undefined

  /**
   * The name of a file-level lookup (`chatEventRoute(event)`) over a table of every route without
   * path parameters, for emits whose event name is only known at run time; staged at the top of
   * the file (by `placeRouteTable`) once some emit uses it. An event without a route throws instead
   * of posting to nowhere.
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
    const name = freeName('chatEventRoute', (candidate) => taken.has(candidate) || taken.has(`${candidate}s`))
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
    this.table = table
    this.tableName = name
    return name
  }

  private table: string | undefined

  /** Stages the route table, if some emit needs it, after the imports the edits keep (so after any import they add). */
  placeRouteTable(): void {
    if (!this.table) return
    const sf = this.script.block.sourceFile
    const last = sf.getImportDeclarations().filter((decl) => !this.isRemoved(decl)).at(-1)
    if (last) this.insert(last.getEnd(), `\n\n${this.table}`)
    else this.insert(sf.getStatements()[0]?.getStart() ?? 0, `${this.table}\n\n`)
  }

  report<K extends FollowUpKind>(node: Node, kind: K, reason: string, action: string, ...severity: SeverityArgument<K>): void {
    this.reportAt(node, kind, reason, action, ...severity)
  }

  reportAt<K extends FollowUpKind>(target: FollowUpTarget, kind: K, reason: string, action: string, ...severity: SeverityArgument<K>): void {
    if (!this.muted) this.ctx.report(target, followUpInput(kind, reason, action, ...severity))
  }
}

/** In the order of the text: at one position insertions in staging order, then the edit that replaces text from there. */
function inTextOrder(a: Patch, b: Patch): number {
  return a.start - b.start || a.end - b.end || a.seq - b.seq
}

function swallows(removal: Patch, patch: Patch): boolean {
  if (patch === removal || removal.start > patch.start || patch.end > removal.end) return false
  const atEdge = patch.start === patch.end && (patch.start === removal.start || patch.start === removal.end)
  return removal.removal === 'line' || !atEdge
}

/** Applies non-overlapping edits, given in the order of the text, to it. */
function applyEdits(text: string, edits: readonly BlockEdit[]): string {
  let out = ''
  let cursor = 0
  for (const edit of edits) {
    out += text.slice(cursor, edit.start) + edit.text
    cursor = edit.end
  }
  return out + text.slice(cursor)
}

/** `name` as a word of code, not preceded by `.` (a member of something else). */
function wordPattern(name: string, flags = ''): RegExp {
  return new RegExp(`(?<![\\w$.])${name.replace(/[$]/g, '\\$&')}(?![\\w$])`, flags)
}
