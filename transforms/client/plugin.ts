import { Node, SyntaxKind } from 'ts-morph'
import { declarationOf } from '../../src/analysis/client/resolve.js'
import type { ProvidedSocketUse, SocketPlugin } from '../../src/analysis/client/types.js'
import type { TransformContext } from '../../src/transform.js'
import { ScriptEditor } from './editor.js'
import { streamCall } from './creation.js'

/** A socket plugin the migration deletes, and the call that replaces `$socket` in its users. */
export interface DeletedPlugin {
  plugin: SocketPlugin
  /** `useChatSSE({ token: () => ... })` with the plugin's credential. */
  replacement: string
}

/**
 * A plugin that only created and provided the socket is deleted when every user of `$<key>` can
 * call useChatSSE() itself: none reads it as `this.$socket` (Options API), and the credential the
 * plugin passed does not depend on the plugin's own variables.
 */
export function pluginsToDelete(ctx: TransformContext): DeletedPlugin[] {
  const { scripts, plugins } = ctx.model.client
  const deleted: DeletedPlugin[] = []
  for (const plugin of plugins) {
    if (!plugin.onlyCreatesSocket) continue
    const uses = scripts.flatMap((s) => s.provided).filter((use) => use.key === plugin.key)
    if (uses.some((use) => use.form === 'this')) continue
    const script = scripts.find((s) => s.block === plugin.block)
    if (!script) continue
    const ed = new ScriptEditor(ctx, script)
    ed.muted = true
    const call = streamCall(ed, plugin.creation)
    if (!call.selfContained) continue
    deleted.push({ plugin, replacement: call.text })
  }
  return deleted
}

/** `useNuxtApp().$socket` → `useChatSSE(...)`; `const { $socket } = useNuxtApp()` → `const socket = useChatSSE(...)`. */
export function rewriteProvidedUse(use: ProvidedSocketUse, replacement: string): void {
  if (use.form === 'access') {
    use.node.replaceWithText(replacement)
    return
  }
  const decl = use.node
  if (!Node.isVariableDeclaration(decl)) return
  const pattern = decl.getNameNode()
  if (!Node.isObjectBindingPattern(pattern)) return
  const element = pattern.getElements().find((e) => (e.getPropertyNameNode()?.getText() ?? e.getName()) === `$${use.key}`)
  if (!element) return
  const local = element.getName()
  if (pattern.getElements().length === 1) {
    decl.replaceWithText(`${local} = ${replacement}`)
    return
  }
  const statement = decl.getFirstAncestorByKind(SyntaxKind.VariableStatement)
  const others = pattern.getElements().filter((e) => e !== element)
  pattern.replaceWithText(`{ ${others.map((e) => e.getText()).join(', ')} }`)
  if (!statement) return
  const parent = statement.getParent()
  if (Node.isBlock(parent) || Node.isSourceFile(parent)) parent.insertStatements(statement.getChildIndex() + 1, `const ${local} = ${replacement}`)
}

/**
 * `$socket` was the plugin's name for it; once the variable holds the stream it reads better as
 * `socket`, when that name is free and the template does not use `$socket`.
 */
export function renameDollarHolders(ed: ScriptEditor): void {
  const sf = ed.script.block.sourceFile
  const template = ed.script.unit.kind === 'vue' ? (/<template[\s\S]*<\/template>/.exec(ed.script.unit.originalText)?.[0] ?? '') : ''
  for (const decl of sf.getDescendantsOfKind(SyntaxKind.VariableDeclaration)) {
    const name = decl.getNameNode()
    if (!Node.isIdentifier(name) || !/^\$\w+$/.test(name.getText())) continue
    if (!decl.getInitializer()?.getText().startsWith('useChatSSE(')) continue
    const plain = name.getText().slice(1)
    const taken = sf.getDescendantsOfKind(SyntaxKind.Identifier).some((id) => id.getText() === plain && declarationOf(id) !== undefined)
    if (taken || template.includes(name.getText())) continue
    name.rename(plain)
  }
}
