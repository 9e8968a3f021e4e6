import { Node, type SourceFile } from 'ts-morph'
import { removeDeadIoCode } from '../src/analysis/server/cleanup.js'
import { planEmit, type SseHelper } from '../src/analysis/server/emit-plan.js'
import { importHelpers, removeUnusedIoImports } from '../src/analysis/server/imports-edit.js'
import type { EmitSite } from '../src/analysis/server/types.js'
import type { Transform, TransformContext } from '../src/transform.js'
import { identifiers } from '../src/ast/walk.js'
import { replaceFileText, replaceNodeText } from '../src/ast/edit.js'
import { reportStaleComments, reportUnauthenticatedEmits, socketIoComments } from './server-emit-reports.js'

/**
 * Rewrites every emit on the io server into a call of the SSE runtime (`emitToRoom`, `emitToUser`,
 * `emitToChannel`, `broadcast`), then removes the io plumbing that became dead in those files.
 * Files that create the server (the plugin) are rewritten in place only; the handler transform moves their code.
 */
export const serverEmits: Transform = {
  id: 'server-emits',
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
  let rewritten = 0
  // Last first, so an emit nested in another emit's arguments is rewritten before its container.
  for (const site of [...sites].sort((a, b) => b.call.getStart() - a.call.getStart())) {
    if (site.call.wasForgotten()) continue
    const keptBecause = ctx.model.keptEmits.get(site.call)
    if (keptBecause) {
      ctx.report(site.call, {
        kind: 'emit/kept-on-socket-io',
        reason: `this emit stays on Socket.IO: it ${keptBecause}`,
        action: 'make that code migratable (see its follow-ups), then run the migration again',
      })
      continue
    }
    const plan = planEmit(site, ctx.config.rooms)
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
    replaceNodeText(site.call, plan.text)
    for (const helper of plan.helpers) used.add(helper)
    rewritten++
  }
  if (rewritten === 0) return
  if (!createsServer) removeDeadIoCode(file, ctx.model.server, style.indent)
  importHelpers(ctx.repo, ctx.model.server, file, [...used], style)
  removeUnusedIoImports(ctx.repo, ctx.model.server, file)
  dropStaleAsiGuards(file, used)
  // The plugin that creates the server is moved or deleted by the handler transform, which reports what stays.
  if (!unit || createsServer) return
  reportStaleComments(ctx, unit.path, comments, file.getFullText())
  reportUnauthenticatedEmits(ctx, unit.path, original, firstEmitLine)
}

/**
 * `;(useNitroApp() as any).io.emit(...)` starts with `;` so the `(` cannot continue the line above.
 * The rewritten call starts with an identifier, so the guard is noise now.
 */
function dropStaleAsiGuards(file: SourceFile, helpers: Set<SseHelper>): void {
  const text = file.getFullText()
  const pattern = new RegExp(`^([ \\t]*);(?=(${[...helpers].join('|')})\\()`, 'gm')
  const next = text.replace(pattern, '$1')
  if (next !== text) replaceFileText(file, next)
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
