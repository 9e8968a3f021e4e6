import { Node, SyntaxKind } from 'ts-morph'
import type { ScriptEditor } from './editor.js'
import { descendantsOfKind } from '../../src/ast/walk.js'

/**
 * `const config = useRuntimeConfig()` that only fed the socket URL or a dropped option: once the
 * io() call is gone nothing reads it, so it goes too. Only declarations whose initializer merely
 * reads (composables, property access, literals) are removed; anything with effects stays.
 */
export function removeDroppedLocals(ed: ScriptEditor): void {
  for (const name of ed.droppedNames) {
    const { kept, written } = ed.referencesAfterEdits(name)
    const id = kept[0]
    if (kept.length !== 1 || !id || written) continue
    const decl = id.getParent()
    if (!decl || !Node.isVariableDeclaration(decl) || decl.getNameNode() !== id) continue
    const statement = decl.getVariableStatement()
    const init = decl.getInitializer()
    if (!statement || statement.getDeclarations().length !== 1 || !init || !onlyReads(init)) continue
    ed.cutStatement(statement)
  }
}

function onlyReads(node: Node): boolean {
  const calls = Node.isCallExpression(node) ? [node, ...descendantsOfKind(node, SyntaxKind.CallExpression)] : descendantsOfKind(node, SyntaxKind.CallExpression)
  return calls.every((call) => /^use[A-Z]\w*$/.test(call.getExpression().getText()))
}
