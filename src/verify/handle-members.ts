import { ts } from 'ts-morph'
import { lineAndColumn, scriptViews } from './script-views.js'

/** What `useChatSSE()` returns; anything else read from it is undefined at run time. */
const HANDLE_MEMBERS = new Set(['connected', 'connectionId', 'connect', 'disconnect', 'on', 'once', 'off', 'onOpen', 'onClose', 'onError', 'onReset', 'send', 'post'])

export interface MemberUse {
  line: number
  column: number
  /** `socket.emit`, or `{ emit }` for a destructured member. */
  code: string
  member: string
}

function isHandleCall(node: ts.Node | undefined): boolean {
  let expression = node
  while (expression && (ts.isAwaitExpression(expression) || ts.isParenthesizedExpression(expression) || ts.isNonNullExpression(expression) || ts.isAsExpression(expression))) {
    expression = expression.expression
  }
  return expression !== undefined && ts.isCallExpression(expression) && ts.isIdentifier(expression.expression) && expression.expression.text === 'useChatSSE'
}

/** `socket.value?.io`, `(this.socket)!` → `socket.value.io`, `this.socket`: one spelling per reference. */
function referenceText(node: ts.Node, source: ts.SourceFile): string {
  return node.getText(source).replace(/\s+/g, '').replace(/\?\./g, '.').replace(/!/g, '').replace(/^\((.*)\)$/, '$1')
}

/**
 * Members read from an SSE handle that it does not have: `socket.emit(…)` left on a socket that became
 * `useChatSSE()` (held in a variable, a ref's `.value`, a property), or `const { emit } = useChatSSE()`.
 * Bindings are matched by their spelling within the script.
 */
export function missingHandleMembers(path: string, text: string): MemberUse[] {
  const found: MemberUse[] = []
  for (const view of scriptViews(path, text)) {
    const handles = new Set<string>()
    const visitDeclarations = (node: ts.Node): void => {
      if ((ts.isVariableDeclaration(node) || ts.isPropertyDeclaration(node)) && node.initializer && isHandleCall(node.initializer)) {
        if (ts.isIdentifier(node.name)) {
          handles.add(node.name.text)
          if (ts.isPropertyDeclaration(node)) handles.add(`this.${node.name.text}`)
        }
        else if (ts.isObjectBindingPattern(node.name)) {
          for (const element of node.name.elements) {
            const key = element.propertyName ?? element.name
            if (!ts.isIdentifier(key) || HANDLE_MEMBERS.has(key.text)) continue
            const at = lineAndColumn(text, view.start + key.getStart(view.source))
            found.push({ ...at, code: `{ ${key.text} } = useChatSSE()`, member: key.text })
          }
        }
      }
      if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && isHandleCall(node.right)) handles.add(referenceText(node.left, view.source))
      ts.forEachChild(node, visitDeclarations)
    }
    visitDeclarations(view.source)
    if (handles.size === 0) continue
    const visitUses = (node: ts.Node): void => {
      if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.name)) {
        const holder = referenceText(node.expression, view.source)
        const member = node.name.text
        if (handles.has(holder) && !HANDLE_MEMBERS.has(member)) {
          const at = lineAndColumn(text, view.start + node.getStart(view.source))
          found.push({ ...at, code: `${holder}.${member}`, member })
        }
      }
      ts.forEachChild(node, visitUses)
    }
    visitUses(view.source)
  }
  return found
}
