import { Node } from 'ts-morph'

/** The expression inside what does not change its value: parentheses, `!`, `as T`, `satisfies T` and `<T>x`. */
export function unwrapExpression(node: Node): Node {
  let current = node
  while (Node.isParenthesizedExpression(current) || Node.isNonNullExpression(current) || Node.isAsExpression(current) || Node.isSatisfiesExpression(current) || Node.isTypeAssertion(current)) {
    current = current.getExpression()
  }
  return current
}
