import { ts } from 'ts-morph'
import { lineAndColumn, scriptViews } from './script-views.js'

/** What `useChatSSE()` returns; anything else read from it is undefined at run time. */
const HANDLE_MEMBERS = new Set(['connected', 'connectionId', 'connect', 'disconnect', 'on', 'once', 'off', 'onOpen', 'onClose', 'onError', 'onReset', 'send', 'post', 'removeAllListeners'])
/** Members that hand an event to the socket kept in `socketIO`, and throw for any event not listed there. */
const KEPT_SOCKET_MEMBERS = new Set(['emit', 'emitWithAck'])

export interface MemberUse {
  line: number
  column: number
  /** `socket.emit`, or `{ emit }` for a destructured member. */
  code: string
  member: string
}

/** The `useChatSSE(...)` call an expression is, through `await`, parentheses, `!`, `as` and `markRaw(...)`. */
function handleCall(node: ts.Node | undefined): ts.CallExpression | undefined {
  let expression = node
  for (;;) {
    if (expression && (ts.isAwaitExpression(expression) || ts.isParenthesizedExpression(expression) || ts.isNonNullExpression(expression) || ts.isAsExpression(expression))) {
      expression = expression.expression
    } else if (expression && ts.isCallExpression(expression) && ts.isIdentifier(expression.expression) && expression.expression.text === 'markRaw') {
      expression = expression.arguments[0]
    } else break
  }
  return expression !== undefined && ts.isCallExpression(expression) && ts.isIdentifier(expression.expression) && expression.expression.text === 'useChatSSE' ? expression : undefined
}

/** The events of `useChatSSE({ socketIO: { events: [...] } })`: those its `emit` may send. */
function keptEvents(call: ts.CallExpression): Set<string> {
  const events = new Set<string>()
  const [options] = call.arguments
  if (!options || !ts.isObjectLiteralExpression(options)) return events
  const socketIO = propertyValue(options, 'socketIO')
  const list = socketIO && ts.isObjectLiteralExpression(socketIO) ? propertyValue(socketIO, 'events') : undefined
  if (!list || !ts.isArrayLiteralExpression(list)) return events
  for (const element of list.elements) if (ts.isStringLiteralLike(element)) events.add(element.text)
  return events
}

function propertyValue(object: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (const property of object.properties) {
    if (ts.isPropertyAssignment(property) && ts.isIdentifier(property.name) && property.name.text === name) return property.initializer
  }
  return undefined
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
    /** Spelling of each reference holding a handle → the events its kept socket sends. */
    const handles = new Map<string, Set<string>>()
    const visitDeclarations = (node: ts.Node): void => {
      const call = (ts.isVariableDeclaration(node) || ts.isPropertyDeclaration(node)) && node.initializer ? handleCall(node.initializer) : undefined
      if ((ts.isVariableDeclaration(node) || ts.isPropertyDeclaration(node)) && call) {
        const events = keptEvents(call)
        if (ts.isIdentifier(node.name)) {
          handles.set(node.name.text, events)
          if (ts.isPropertyDeclaration(node)) handles.set(`this.${node.name.text}`, events)
        }
        else if (ts.isObjectBindingPattern(node.name)) {
          for (const element of node.name.elements) {
            const key = element.propertyName ?? element.name
            if (!ts.isIdentifier(key) || HANDLE_MEMBERS.has(key.text) || (KEPT_SOCKET_MEMBERS.has(key.text) && events.size > 0)) continue
            const at = lineAndColumn(text, view.start + key.getStart(view.source))
            found.push({ ...at, code: `{ ${key.text} } = useChatSSE()`, member: key.text })
          }
        }
      }
      const assigned = ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken ? handleCall(node.right) : undefined
      if (assigned && ts.isBinaryExpression(node)) handles.set(referenceText(node.left, view.source), keptEvents(assigned))
      ts.forEachChild(node, visitDeclarations)
    }
    visitDeclarations(view.source)
    if (handles.size === 0) continue
    const visitUses = (node: ts.Node): void => {
      if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.name)) {
        const holder = referenceText(node.expression, view.source)
        const member = node.name.text
        const kept = handles.get(holder)
        if (kept && !HANDLE_MEMBERS.has(member) && !(KEPT_SOCKET_MEMBERS.has(member) && sendsKeptEvent(node, kept))) {
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

/** `handle.emit('poke', …)` where `poke` is one of the events the handle's kept socket sends. */
function sendsKeptEvent(access: ts.PropertyAccessExpression, kept: ReadonlySet<string>): boolean {
  const call = access.parent
  if (!ts.isCallExpression(call) || call.expression !== access) return false
  const [event] = call.arguments
  return event !== undefined && ts.isStringLiteralLike(event) && kept.has(event.text)
}
