import { Node, type SourceFile } from 'ts-morph'
import { planEmit, type SseHelper } from '../src/analysis/server/emit-plan.js'
import type { EmitSite } from '../src/analysis/server/types.js'
import { fileRange } from '../src/changeset/ranges.js'
import type { ChangeMeta } from '../src/changeset/types.js'
import type { Transform, TransformContext } from '../src/transform.js'
import { identifiers } from '../src/ast/walk.js'
import { reportStaleComments, reportUnauthenticatedEmits, socketIoComments } from './server-emit-reports.js'
import { removeDeadIoCode } from './server/dead-io-code.js'
import { updateIoImports } from './server/io-imports.js'
import { isInString, lineIndentAt, reindentEdits } from './shared/reindent.js'

const ID = 'server-emits'

/**
 * Rewrites every emit on the io server into a call of the SSE runtime (`emitToRoom`, `emitToUser`,
 * `emitToChannel`, `broadcast`), then removes the io plumbing that became dead in those files.
 * Files that create the server (the plugin) are rewritten in place only; the handler transform moves their code.
 */
export const serverEmits: Transform = {
  id: ID,
  title: 'Rewrite Socket.IO emits into SSE emitter calls',
  run(ctx) {
    const byFile = new Map<SourceFile, EmitSite[]>()
    for (const site of ctx.model.server.emits) {
      const file = site.call.getSourceFile()
      byFile.set(file, [...(byFile.get(file) ?? []), site])
    }
    const creationFiles = new Set(ctx.model.server.sites.map((site) => site.creation.getSourceFile()))
    for (const [file, sites] of byFile) rewriteFile(ctx, file, sites, creationFiles.has(file))
  },
}

function rewriteFile(ctx: TransformContext, file: SourceFile, sites: EmitSite[], createsServer: boolean): void {
  const unit = ctx.repo.unitOf(file)
  const style = ctx.styleOf(unit?.path)
  const original = file.getFullText()
  const comments = socketIoComments(file)
  const firstEmitLine = Math.min(...sites.map((site) => site.call.getStartLineNumber()))
  const used = new Set<SseHelper>()
  const meta: ChangeMeta = { transform: ID, reason: 'Socket.IO emits rewritten into SSE emitter calls' }
  /** The code of a node with the rewrites staged inside it so far. */
  const textOf = (node: Node): string => {
    const range = fileRange(ctx.repo, node)
    return ctx.changes.slice(range.path, range.start, range.end)
  }
  let rewritten = 0
  // Last first, so an emit nested in another emit's arguments is rewritten before its container, which carries it.
  for (const site of [...sites].sort((a, b) => b.call.getStart() - a.call.getStart())) {
    const keptBecause = ctx.model.keptEmits.get(site.call)
    if (keptBecause) {
      ctx.report(site.call, {
        kind: 'emit/kept-on-socket-io',
        reason: `this emit stays on Socket.IO: it ${keptBecause}`,
        action: 'make that code migratable (see its follow-ups), then run the migration again',
      })
      continue
    }
    const plan = planEmit(site, ctx.config.rooms, textOf)
    if (!plan.ok) {
      ctx.report(site.call, plan.problem)
      continue
    }
    const conflict = plan.helpers.find((helper) => declaresName(file, helper))
    if (conflict) {
      ctx.report(site.call, {
        kind: 'emit/name-conflict',
        reason: `this file declares its own \`${conflict}\`, which would hide the SSE helper of that name`,
        action: `Rename the local \`${conflict}\`, then call ${plan.text}`,
      })
      continue
    }
    for (const caution of plan.cautions) ctx.report(site.call, caution)
    stageRewrite(ctx, site, plan.text, textOf, meta)
    dropStaleAsiGuard(ctx, site, meta)
    for (const helper of plan.helpers) used.add(helper)
    rewritten++
  }
  if (rewritten === 0) return
  if (!createsServer) removeDeadIoCode(ctx, file, meta)
  updateIoImports(ctx, file, [...used], style, meta)
  // The plugin that creates the server is moved or deleted by the handler transform, which reports what stays.
  if (!unit || createsServer) return
  reportStaleComments(ctx, unit.path, comments, ctx.changes.currentText(unit.path) ?? '')
  reportUnauthenticatedEmits(ctx, unit.path, original, firstEmitLine)
}

/**
 * The rewrite of an emit keeps its data argument where it is: only the code around it is replaced, so
 * edits inside the argument (a nested emit, a later transform's) compose with it.
 */
function stageRewrite(ctx: TransformContext, site: EmitSite, text: string, textOf: (node: Node) => string, meta: ChangeMeta): void {
  const data = site.data[0]
  const call = fileRange(ctx.repo, site.call)
  const around = data && planEmit(site, ctx.config.rooms, (node) => (node === data ? DATA : textOf(node)))
  const [head, tail, ...more] = around?.ok ? around.text.split(DATA) : []
  if (!data || head === undefined || tail === undefined || more.length > 0) {
    ctx.changes.edit(call.path, { start: call.start, end: call.end, text }, meta, { supersedes: true })
    return
  }
  const kept = fileRange(ctx.repo, data)
  ctx.changes.edit(call.path, { start: call.start, end: kept.start, text: head }, meta)
  ctx.changes.edit(call.path, { start: kept.end, end: call.end, text: tail }, meta)
  // `io.to(room)\n    .emit('e', {` → `emitToRoom(id, 'e', {`: the argument's lines follow the line it now starts on.
  const file = site.call.getSourceFile()
  const source = file.getFullText()
  const from = lineIndentAt(source, data.getStart())
  const to = lineIndentAt(source, site.call.getStart())
  for (const edit of reindentEdits(source, data.getStart(), data.getEnd(), from, to, (offset) => isInString(file, offset))) {
    const range = fileRange(ctx.repo, file, edit.start, edit.end)
    // A line inside an emit nested in the argument and rewritten as a whole goes with that emit.
    if (!ctx.changes.isEdited(range.path, range.start - 1, range.start)) ctx.changes.edit(range.path, { start: range.start, end: range.end, text: edit.text }, meta)
  }
}

/** Stands for the data argument in the planned text of an emit. */
const DATA = '\u0000'

/**
 * `;(useNitroApp() as any).io.emit(...)` starts with `;` so the `(` cannot continue the line above.
 * The rewritten call starts with an identifier, so the guard is noise now.
 */
function dropStaleAsiGuard(ctx: TransformContext, site: EmitSite, meta: ChangeMeta): void {
  const text = site.call.getSourceFile().getFullText()
  const start = site.call.getStart()
  const lineStart = text.lastIndexOf('\n', start - 1) + 1
  if (text[start - 1] !== ';' || !/^[ \t]*$/.test(text.slice(lineStart, start - 1))) return
  const range = fileRange(ctx.repo, site.call, start - 1, start)
  ctx.changes.edit(range.path, { start: range.start, end: range.end, text: '' }, meta)
}

/** True when the file declares a binding of that name anywhere (a local would shadow the auto-imported helper). */
function declaresName(file: SourceFile, name: string): boolean {
  return identifiers(file, name).some((identifier) => {
    const parent = identifier.getParent()
    return (
      (Node.isVariableDeclaration(parent) ||
        Node.isFunctionDeclaration(parent) ||
        Node.isParameterDeclaration(parent) ||
        Node.isBindingElement(parent) ||
        Node.isClassDeclaration(parent) ||
        Node.isImportSpecifier(parent)) &&
      !(Node.isImportSpecifier(parent) && /utils\/sse|#imports/.test(parent.getImportDeclaration().getModuleSpecifierValue()))
    )
  })
}
