import type { Node } from 'ts-morph'
import type { ClientScript } from '../src/analysis/client/types.js'
import type { Transform, TransformContext } from '../src/transform.js'
import { rewriteCreation } from './client/creation.js'
import { ScriptEditor, STREAM_TYPE } from './client/editor.js'
import { removeClientImports, updateVueImports } from './client/imports.js'
import { rewriteMember } from './client/members.js'
import { pluginsToDelete, renameDollarHolders, rewriteProvidedUse, type DeletedPlugin } from './client/plugin.js'

const ID = 'client'

/** One edit of a block; run from the end of the file backwards so inner edits land before the ones around them. */
interface Edit {
  node: Node
  run(): void
}

export const clientTransform: Transform = {
  id: ID,
  title: 'Move socket.io-client composables, plugins, stores and components onto the shared useChatSSE() stream',
  run(ctx) {
    const deleted = pluginsToDelete(ctx)
    const deletedPaths = new Set(deleted.map((d) => d.plugin.unit.path))
    for (const script of ctx.model.client.scripts) {
      if (deletedPaths.has(script.unit.path)) continue
      migrateScript(ctx, script, deleted)
    }
    for (const { plugin } of deleted) {
      ctx.changes.delete(plugin.unit.path, { transform: ID, reason: `Nuxt plugin that only created the socket; users of $${plugin.key} call useChatSSE()` })
    }
  },
}

function migrateScript(ctx: TransformContext, script: ClientScript, deleted: DeletedPlugin[]): void {
  const ed = new ScriptEditor(ctx, script)
  const sf = script.block.sourceFile
  const before = sf.getFullText()
  const edits: Edit[] = []
  for (const use of script.members) edits.push({ node: use.access, run: () => rewriteMember(ed, use) })
  for (const creation of script.creations) edits.push({ node: creation.call, run: () => rewriteCreation(ed, creation) })
  for (const ref of script.socketTypes) edits.push({ node: ref, run: () => ref.replaceWithText(STREAM_TYPE) })
  for (const ref of script.rawTypes) {
    edits.push({ node: ref, run: () => ref.replaceWithText(`Raw<${STREAM_TYPE}>`) })
    ed.vueTypeNames.add('Raw')
  }
  // A ref holding the stream must be shallow: a deep ref would unwrap the stream's own refs (`connected`).
  for (const call of script.refHolders) edits.push({ node: call, run: () => renameCallee(ed, call.getExpression(), 'ref', 'shallowRef') })
  for (const call of script.readonlyWraps) edits.push({ node: call, run: () => renameCallee(ed, call.getExpression(), 'readonly', 'shallowReadonly') })
  for (const use of script.provided) {
    const plugin = deleted.find((d) => d.plugin.key === use.key)
    if (plugin) edits.push({ node: use.node, run: () => rewriteProvidedUse(use, plugin.replacement) })
  }
  for (const item of script.unsupported) ed.report(item.node, item.kind, item.reason, item.action)
  edits.sort((a, b) => b.node.getStart() - a.node.getStart() || a.node.getEnd() - b.node.getEnd())
  for (const edit of edits) edit.run()
  renameDollarHolders(ed)
  removeClientImports(ed)
  updateVueImports(ed)
  if (sf.getFullText() !== before) ctx.changes.noteEdit(script.unit.path, { transform: ID, reason: 'socket.io-client replaced by the shared SSE stream (useChatSSE)' })
}

function renameCallee(ed: ScriptEditor, callee: Node, from: string, to: string): void {
  if (callee.getText() !== from) return
  callee.replaceWithText(to)
  ed.vueNames.add(to)
  ed.replacedVueNames.add(from)
}
