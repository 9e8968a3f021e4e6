import { Node, SyntaxKind, type SourceFile } from 'ts-morph'
import { aliasOf, exits, guardOf, isAliasInitializer, isGuard, referencesOf, type Guard } from '../../src/analysis/server/cleanup.js'
import { isUseNitroAppCall } from '../../src/analysis/server/syntax.js'
import { descendantsOfKind } from '../../src/ast/walk.js'
import { fileRange, isEditedNode } from '../../src/changeset/ranges.js'
import type { ChangeMeta, TextEdit } from '../../src/changeset/types.js'
import type { TransformContext } from '../../src/transform.js'
import { isInString, lineIndentAt } from '../shared/reindent.js'

/** Rounds of clean-up: a removed guard can leave an alias dead, which is removed the next round. */
const MAX_ROUNDS = 10

/**
 * After the emits of a file were rewritten (staged), remove the io plumbing that became dead:
 * `if (!io) throw ...` guards, `if (io) { ... }` wrappers, `const io = useNitroApp().io` aliases,
 * and `const nitroApp = useNitroApp()` left without readers. Code inside a staged edit (a rewritten
 * call) counts as gone. Does nothing when the file still uses io for something else (that use is
 * reported, and its guard must keep protecting it). Returns true when something was removed.
 */
export function removeDeadIoCode(ctx: TransformContext, file: SourceFile, meta: ChangeMeta): boolean {
  const edited = (node: Node): boolean => isEditedNode(ctx.repo, ctx.changes, node)
  const live = ctx.model.server.accesses.filter((access) => access.node.getSourceFile() === file && !edited(access.node))
  if (live.some((access) => !isGuard(access.node) && !isAliasInitializer(access.node))) {
    return false
  }
  // Decide everything on the unedited tree first, then stage all edits.
  const removals = new Set<Node>()
  const unwraps = new Map<Node, Unwrap>()
  const gone = (node: Node): boolean =>
    edited(node) ||
    [...removals].some((statement) => contains(statement, node)) ||
    [...unwraps.keys()].some((unwrapped) => (Node.isIfStatement(unwrapped) ? contains(unwrapped.getExpression(), node) : contains(unwrapped, node)))
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const before = removals.size + unwraps.size
    for (const access of live) {
      const guard = guardOf(access.node)
      if (guard) {
        planGuard(guard, removals, unwraps)
        continue
      }
      const alias = aliasOf(access.node)
      const statement = alias && Node.isVariableDeclaration(alias) ? alias.getVariableStatement() : undefined
      if (statement && statement.getDeclarations().length === 1 && referencesOf(alias!).every(gone)) removals.add(statement)
    }
    // `const nitroApp = useNitroApp()` kept only to reach `nitroApp.io`
    for (const declaration of descendantsOfKind(file, SyntaxKind.VariableDeclaration)) {
      const initializer = declaration.getInitializer()
      const statement = declaration.getVariableStatement()
      if (!initializer || !isUseNitroAppCall(initializer) || !statement || statement.getDeclarations().length !== 1 || edited(statement)) continue
      if (Node.isIdentifier(declaration.getNameNode()) && referencesOf(declaration).every(gone)) removals.add(statement)
    }
    if (removals.size + unwraps.size === before) break
  }
  if (removals.size + unwraps.size === 0) return false
  stageEdits(ctx, file, removals, unwraps, meta)
  return true
}

/** What an unwrapped guard becomes: its single statement, or the statements of its block. */
interface Unwrap {
  start: number
  end: number
  block: boolean
}

/** `if (!io) throw ...` is removed; `if (io) { body }` becomes `body` (only when the body does not leave the function). */
function planGuard(guard: Guard, removals: Set<Node>, unwraps: Map<Node, Unwrap>): void {
  const statement = guard.statement
  if (!Node.isIfStatement(statement)) return
  if (guard.alongside) {
    // `if (io && chat)` → `if (chat)`: the other test still decides.
    const { condition, rest } = guard.alongside
    unwraps.set(condition, { start: rest.getStart(), end: rest.getEnd(), block: false })
    return
  }
  const then = statement.getThenStatement()
  if (guard.negated) {
    if (exits(then)) removals.add(statement)
    return
  }
  if (exits(then)) return
  if (!Node.isBlock(then)) {
    unwraps.set(statement, { start: then.getStart(), end: then.getEnd(), block: false })
    return
  }
  const inner = then.getStatements()
  if (inner.length === 0) {
    removals.add(statement)
    return
  }
  unwraps.set(statement, { start: inner[0]!.getStart(true), end: inner[inner.length - 1]!.getEnd(), block: true })
}

function contains(outer: Node, inner: Node): boolean {
  return inner.getStart() >= outer.getStart() && inner.getEnd() <= outer.getEnd()
}

/** An edit in block offsets; an unwrapped guard is staged as several edits around and inside its body. */
type PlannedEdit = TextEdit & { unwrap?: Unwrap }

/**
 * Remove statements with their leading blank lines and comments; the statement after them gets
 * their spacing (`a\n\n  const io = ...\n  b` becomes `a\n\n  b`). Unwrapped guards become their body.
 * Adjacent removed statements are removed as one block.
 */
function stageEdits(ctx: TransformContext, file: SourceFile, removals: Set<Node>, unwraps: Map<Node, Unwrap>, meta: ChangeMeta): void {
  const text = file.getFullText()
  const edits: PlannedEdit[] = []
  const sorted = [...removals].sort((a, b) => a.getStart() - b.getStart())
  const groups: Node[][] = []
  for (const statement of sorted) {
    const group = groups.at(-1)
    const last = group?.at(-1)
    if (group && last && last.getNextSibling() === statement) group.push(statement)
    else groups.push([statement])
  }
  for (const group of groups) {
    const first = group[0]!
    const last = group[group.length - 1]!
    const next = last.getNextSibling()
    const leading = text.slice(first.getFullStart(), first.getStart())
    const nextLeading = next ? text.slice(next.getFullStart(), next.getStart()) : ''
    if (next && nextLeading.trim() === '') {
      // The next statement takes the place of the removed ones, with their spacing (blank line or not).
      const nextIndent = nextLeading.slice(nextLeading.lastIndexOf('\n') + 1)
      edits.push({ start: first.getFullStart(), end: next.getStart(), text: `${BLANK_LINE.test(leading) ? '\n\n' : '\n'}${nextIndent}` })
    } else {
      const keepBreak = next !== undefined && BLANK_LINE.test(leading) && !BLANK_LINE.test(nextLeading)
      edits.push({ start: first.getFullStart(), end: last.getEnd(), text: keepBreak ? '\n' : '' })
    }
  }
  for (const [statement, unwrap] of unwraps) edits.push({ start: statement.getStart(), end: statement.getEnd(), text: '', unwrap })
  edits.sort((a, b) => b.start - a.start)
  let floor = Number.POSITIVE_INFINITY
  for (const edit of edits) {
    // Overlapping edits (a guard inside an unwrapped block): the inner one is staged, the outer one is left as is.
    if (edit.end > floor) continue
    floor = edit.start
    if (edit.unwrap) {
      stageUnwrap(ctx, file, edit, edit.unwrap, meta)
      continue
    }
    const range = fileRange(ctx.repo, file, edit.start, edit.end)
    // A removed statement goes with whatever was rewritten inside it.
    ctx.changes.edit(range.path, { start: range.start, end: range.end, text: edit.text }, meta, { supersedes: true })
  }
}

/**
 * `if (io) { body }` → `body`: the code around the body goes, and the body's lines move one level out
 * (from the indentation of its first line to the guard's), strings left alone. The rewrites staged
 * inside the body stay where they are.
 */
function stageUnwrap(ctx: TransformContext, file: SourceFile, statement: TextEdit, body: Unwrap, meta: ChangeMeta): void {
  const stage = (start: number, end: number, text: string, supersedes = false) => {
    const range = fileRange(ctx.repo, file, start, end)
    ctx.changes.edit(range.path, { start: range.start, end: range.end, text }, meta, { supersedes })
  }
  stage(statement.start, body.start, '')
  if (body.end < statement.end) stage(body.end, statement.end, '')
  if (!body.block) return
  const text = file.getFullText()
  const from = lineIndentAt(text, body.start)
  const to = lineIndentAt(text, statement.start)
  for (let lineStart = text.indexOf('\n', body.start) + 1; lineStart > 0 && lineStart < body.end; lineStart = text.indexOf('\n', lineStart) + 1) {
    const indentation = /^[ \t]*/.exec(text.slice(lineStart))![0]
    if (indentation === '' || isInString(file, lineStart)) continue
    const range = fileRange(ctx.repo, file, lineStart, lineStart + indentation.length)
    // Inside code rewritten as a whole (its line break is replaced), the line goes with that code.
    if (ctx.changes.isEdited(range.path, range.start - 1, range.start)) continue
    // The indentation as the emit rewrite left it (it may have re-indented the line already).
    const current = ctx.changes.slice(range.path, range.start, range.end)
    if (current.startsWith(from)) stage(lineStart, lineStart + indentation.length, to + current.slice(from.length), true)
  }
}

const BLANK_LINE = /\n[ \t]*\n/
