import type { Node } from 'ts-morph'
import type { ClientScript } from '../src/analysis/client/types.js'
import type { Transform, TransformContext } from '../src/transform.js'
import { reportSocketComments } from './client/comments.js'
import { rewriteCreation } from './client/creation.js'
import { ScriptEditor, STREAM_TYPE } from './client/editor.js'
import { replaceClientImports, updateVueImports } from './client/imports.js'
import { pairLifecycleListeners } from './client/lifecycle.js'
import { rewriteMember } from './client/members.js'
import { reportTemplateUses } from './client/template.js'
import { removeDroppedLocals } from './client/unused.js'
import { pluginsToDelete, renameDollarHolders, rewriteProvidedUse, type DeletedPlugin } from './client/plugin.js'
import { keptOnSocketIO, type KeptSocketIO } from './client/kept.js'
import { AppEvents } from './client/app-events.js'
import { stageFileEdits } from './client/staging.js'
import { wireReset } from './client/reset.js'

const ID = 'client'
const TITLE = 'Move socket.io-client composables, plugins, stores and components onto the shared useChatSSE() stream'

export const clientTransform: Transform = {
  id: ID,
  title: TITLE,
  run(whole) {
    reportUnrecognisedSockets(whole)
    reportFilesKept(whole)
    const ctx = withoutKeptFiles(whole)
    const kept = keptOnSocketIO(ctx)
    if (kept?.everything) return reportClientKept(ctx, kept)
    // A socket that stays for part of the app is created once, where it was: its plugin stays too.
    const deleted = kept ? [] : pluginsToDelete(ctx)
    const deletedPaths = new Set(deleted.map((d) => d.plugin.unit.path))
    const appEvents = new AppEvents(ctx)
    const editorsByFile = new Map<string, ScriptEditor[]>()
    for (const script of ctx.model.client.scripts) {
      if (deletedPaths.has(script.unit.path)) continue
      const ed = migrateScript(ctx, script, deleted, kept, appEvents)
      editorsByFile.set(script.unit.path, [...(editorsByFile.get(script.unit.path) ?? []), ed])
    }
    // Every edit was decided on the untouched trees; each file's edits are staged in one call.
    for (const [path, editors] of editorsByFile) stageFileEdits(ctx, path, editors, { transform: ID, reason: TITLE })
    for (const { plugin } of deleted) {
      ctx.changes.delete(plugin.unit.path, { transform: ID, reason: `Nuxt plugin that only created the socket; users of $${plugin.key} call useChatSSE()` })
    }
  },
}

/** Browser code on a socket the tool does not know stays as it was, once per file with the events it uses. */
function reportUnrecognisedSockets(ctx: TransformContext): void {
  const byFile = new Map<string, typeof ctx.model.client.unrecognised>()
  for (const call of ctx.model.client.unrecognised) byFile.set(call.file, [...(byFile.get(call.file) ?? []), call])
  for (const calls of byFile.values()) {
    const events = [...new Set(calls.map((call) => `\`${call.event}\``))].join(', ')
    ctx.report(calls[0]!.call, {
      kind: 'client/unrecognised-socket',
      reason: `this code sends or hears ${events} on a socket the tool does not recognise (not created with an import of socket.io-client), so it and the server side of those events stay on Socket.IO`,
      action: 'create the socket with `io()` imported from socket.io-client (or through a composable that does), then run the migration again',
    })
  }
}

/** The client without the files that keep their socket as it was: the rest moves as if they were not there. */
function withoutKeptFiles(ctx: TransformContext): TransformContext {
  const kept = ctx.model.keptClient
  if (kept.size === 0) return ctx
  const client = {
    ...ctx.model.client,
    scripts: ctx.model.client.scripts.filter((script) => !kept.has(script.unit.path)),
    plugins: ctx.model.client.plugins.filter((plugin) => !kept.has(plugin.unit.path)),
  }
  return { ...ctx, model: { ...ctx.model, client } }
}

/** Files sharing a socket with code that cannot run on the stream handle stay as they were; each says why, once. */
function reportFilesKept(ctx: TransformContext): void {
  const kept = ctx.model.keptClient
  for (const [file, why] of kept) {
    const scripts = ctx.model.client.scripts.filter((script) => script.unit.path === file)
    const at = scripts.flatMap((script) => [...script.creations.map((creation) => creation.call as Node), ...script.members.map((use) => use.access as Node), ...script.provided.map((use) => use.node), ...script.imports])
      .sort((a, b) => a.getStart() - b.getStart())[0]
    const sharing = [...kept].filter(([other, otherWhy]) => other !== file && otherWhy === why).map(([other]) => other)
    // A file the client analysis did not see use the socket (it reads one it imports) is named at its top.
    ctx.report(at ?? { file, line: 1, code: '' }, {
      kind: 'client/socket-stays',
      reason: `${sharing.length > 0 ? `this file shares its socket with ${sharing.join(', ')}, and` : 'in this file'} browser code cannot run on the SSE handle (${why}), so the socket stays on Socket.IO and this file is left as it was, with the events it sends and hears and their server code`,
      action: 'rewrite that code for useChatSSE() (or remove it), then run the migration again',
    })
  }
}

/** Every event the client uses stays on Socket.IO: its code stays exactly as it was, and says why at each socket it creates. */
function reportClientKept(ctx: TransformContext, kept: KeptSocketIO): void {
  const why = kept.events.map((event) => `\`${event.event}\` (${event.why})`).join('; ')
  for (const script of ctx.model.client.scripts) {
    for (const creation of script.creations) {
      ctx.report(creation.call, {
        kind: 'client/socket-kept',
        reason: `every event the client sends or hears stays on Socket.IO, so its socket code is left as it was: ${why}`,
        action: 'make that server code migratable (see its follow-ups), then run the migration again',
      })
    }
  }
}

/** Decides every edit of one script block; the block itself is left as it is. */
function migrateScript(ctx: TransformContext, script: ClientScript, deleted: DeletedPlugin[], kept: KeptSocketIO | undefined, appEvents: AppEvents): ScriptEditor {
  const ed = new ScriptEditor(ctx, script)
  ed.kept = kept
  ed.appEvents = appEvents
  for (const item of script.unsupported) ed.report(item.node, item.kind, item.reason, item.action)
  reportSocketComments(ed)
  reportTemplateUses(ed, ctx.model.client.scripts)
  ed.lifecyclePairs = pairLifecycleListeners(ed)
  for (const use of script.members) rewriteMember(ed, use)
  for (const creation of script.creations) rewriteCreation(ed, creation)
  wireReset(ed)
  for (const ref of script.socketTypes) ed.replace(ref, STREAM_TYPE)
  for (const ref of script.rawTypes) {
    ed.replace(ref, `Raw<${STREAM_TYPE}>`)
    ed.vueTypeNames.add('Raw')
  }
  ed.usesStreamType = script.socketTypes.length + script.rawTypes.length > 0
  // A ref holding the stream must be shallow: a deep ref would unwrap the stream's own refs (`connected`).
  for (const call of script.refHolders) renameCallee(ed, call.getExpression(), 'ref', 'shallowRef')
  for (const call of script.readonlyWraps) renameCallee(ed, call.getExpression(), 'readonly', 'shallowReadonly')
  for (const use of script.provided) {
    const plugin = deleted.find((d) => d.plugin.key === use.key)
    if (plugin) rewriteProvidedUse(ed, use, plugin.replacement)
  }
  removeDroppedLocals(ed)
  renameDollarHolders(ed)
  replaceClientImports(ed)
  updateVueImports(ed)
  ed.placeRouteTable()
  return ed
}

function renameCallee(ed: ScriptEditor, callee: Node, from: string, to: string): void {
  if (callee.getText() !== from) return
  ed.replace(callee, to)
  ed.vueNames.add(to)
  ed.replacedVueNames.add(from)
}
