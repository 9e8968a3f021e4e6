import { Node, SyntaxKind } from 'ts-morph'
import { declarationOf } from '../../src/analysis/client/syntax.js'
import type { ProvidedSocketUse, SocketPlugin } from '../../src/analysis/client/types.js'
import type { TransformContext } from '../../src/transform.js'
import { ScriptEditor } from './editor.js'
import { streamCall } from './creation.js'
import { descendantsOfKind } from '../../src/ast/walk.js'

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
    // Every user must get a variable to connect the stream on, as the plugin connected the socket.
    if (!uses.every((use) => use.form === 'destructure' || initialises(use.node))) continue
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

/** `useNuxtApp().$socket` → `useChatSSE(...)`; `const { $socket } = useNuxtApp()` → `const $socket = useChatSSE(...)`. */
export function rewriteProvidedUse(ed: ScriptEditor, use: ProvidedSocketUse, replacement: string): void {
  if (use.form === 'access') {
    ed.replace(use.node, replacement)
    const decl = use.node.getParent()
    const statement = decl?.getFirstAncestorByKind(SyntaxKind.VariableStatement)
    if (decl && Node.isVariableDeclaration(decl) && statement) ed.insertStatementAfter(statement, `${decl.getName()}.connect()`)
    return
  }
  const decl = use.node
  if (!Node.isVariableDeclaration(decl)) return
  const pattern = decl.getNameNode()
  if (!Node.isObjectBindingPattern(pattern)) return
  const element = pattern.getElements().find((e) => (e.getPropertyNameNode()?.getText() ?? e.getName()) === `$${use.key}`)
  if (!element) return
  const local = element.getName()
  const statement = decl.getFirstAncestorByKind(SyntaxKind.VariableStatement)
  if (!statement) return
  if (pattern.getElements().length === 1) {
    ed.replace(decl, `${local} = ${replacement}`)
  } else {
    const others = pattern.getElements().filter((e) => e !== element)
    ed.replace(pattern, `{ ${others.map((e) => e.getText()).join(', ')} }`)
    ed.insertStatementAfter(statement, `const ${local} = ${replacement}`)
  }
  ed.insertStatementAfter(statement, `${local}.connect()`)
}

/** `const socket = useNuxtApp().$socket`. */
function initialises(node: Node): boolean {
  const parent = node.getParent()
  return parent !== undefined && Node.isVariableDeclaration(parent) && parent.getInitializer() === node && Node.isIdentifier(parent.getNameNode())
}

/**
 * `$socket` was the plugin's name for it; once the variable holds the stream it reads better as
 * `socket`, when that name is free and the template does not use `$socket`. Every use is renamed,
 * in the code as it was and in the code the migration writes.
 */
export function renameDollarHolders(ed: ScriptEditor): void {
  const sf = ed.script.block.sourceFile
  const template = ed.script.unit.kind === 'vue' ? (/<template[\s\S]*<\/template>/.exec(ed.script.unit.originalText)?.[0] ?? '') : ''
  const declarations = [...descendantsOfKind(sf, SyntaxKind.VariableDeclaration), ...descendantsOfKind(sf, SyntaxKind.BindingElement)]
  for (const decl of declarations) {
    const name = decl.getNameNode()
    if (!Node.isIdentifier(name) || !/^\$\w+$/.test(name.getText()) || !holdsStream(ed, decl, name.getText())) continue
    const plain = name.getText().slice(1)
    const free = ed.referencesAfterEdits(plain)
    if (free.written || free.kept.some((id) => declarationOf(id) !== undefined) || template.includes(name.getText())) continue
    const uses = ed.referencesAfterEdits(name.getText()).kept.filter((id) => id === name || declarationOf(id) === decl)
    // Other files import an exported name as it is: renaming it here alone would break them.
    if (isExported(decl) || uses.some((id) => Node.isExportSpecifier(id.getParent()) || Node.isExportAssignment(id.getParent()))) continue
    ed.renameInStagedText(name.getText(), plain)
    // `{ $socket }` keeps its key for whoever reads it: `{ $socket: socket }`.
    for (const id of uses) ed.replace(id, Node.isShorthandPropertyAssignment(id.getParent()) ? `${name.getText()}: ${plain}` : plain)
  }
}

/** Once edited, the declaration's statement declares the name with `useChatSSE(...)` (`const { $socket } = useNuxtApp()` becomes `const $socket = useChatSSE()`). */
function holdsStream(ed: ScriptEditor, decl: Node, name: string): boolean {
  const statement = decl.getFirstAncestorByKind(SyntaxKind.VariableStatement)
  if (!statement || ed.isRemoved(statement)) return false
  const declared = new RegExp(`(?<![\\w$.])${name.replace(/[$]/g, '\\$&')}\\s*(?::[^=]*)?=\\s*useChatSSE\\(`)
  return declared.test(ed.editedText(statement.getStart(), statement.getEnd()))
}

function isExported(decl: Node): boolean {
  return decl.getFirstAncestorByKind(SyntaxKind.VariableStatement)?.isExported() ?? false
}
