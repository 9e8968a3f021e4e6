import { Node } from 'ts-morph'
import type { ClientScript } from '../../src/analysis/client/types.js'
import type { ScriptEditor } from './editor.js'
import { escapeRegExp } from '../../src/text/regexp.js'

/** Members whose meaning changes on the stream (`connected` becomes a ref, `emit` a REST call). */
const CHANGED_MEMBERS = 'connected|disconnected|id|emit|emitWithAck|io|volatile|timeout'

/**
 * Templates are not rewritten: a `.vue` template that reads `socket.connected` or calls
 * `socket.emit` on a socket its script holds is reported, so it is not left silently wrong.
 */
export function reportTemplateUses(ed: ScriptEditor, scripts: readonly ClientScript[]): void {
  const { unit } = ed.script
  if (unit.kind !== 'vue' || scripts.find((s) => s.unit === unit) !== ed.script) return
  const names = new Set<string>()
  for (const script of scripts.filter((s) => s.unit === unit)) {
    for (const use of script.members) {
      const name = holderName(use.access.getExpression())
      if (name) names.add(name)
    }
    for (const use of script.provided) names.add(`$${use.key}`)
  }
  const template = /<template[\s\S]*<\/template>/.exec(unit.originalText)
  if (!template || names.size === 0) return
  const pattern = new RegExp(`(?<![\\w$.])(${[...names].map(escapeRegExp).join('|')})(?:\\.value)?\\??\\.(${CHANGED_MEMBERS})\\b`, 'g')
  for (const match of template[0].matchAll(pattern)) {
    const offset = template.index + match.index
    const before = unit.originalText.slice(0, offset)
    const line = before.split('\n').length
    ed.reportAt(
      { file: unit.path, line, column: offset - before.lastIndexOf('\n'), code: match[0] },
      'client/template-use',
      `the template uses \`${match[0]}\` of the socket, which the tool does not rewrite in templates`,
      `rewrite it for the stream of useChatSSE() (\`connected\` and \`connectionId\` are refs, emits are send(url, payload))`,
    )
  }
}

/** `socket`, `socket.value`, `this.socket` → `socket`. */
function holderName(receiver: Node): string | undefined {
  let node = receiver
  while (Node.isNonNullExpression(node) || Node.isParenthesizedExpression(node)) node = node.getExpression()
  if (Node.isPropertyAccessExpression(node) && node.getName() === 'value') node = node.getExpression()
  if (Node.isIdentifier(node)) return node.getText()
  if (Node.isPropertyAccessExpression(node) && Node.isThisExpression(node.getExpression())) return node.getName()
  return undefined
}
