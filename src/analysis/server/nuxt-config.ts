import { ts } from 'ts-morph'

/** The object passed to `defineNuxtConfig({...})` or exported as `export default {...}`. */
export function configObject(file: ts.SourceFile): ts.ObjectLiteralExpression | undefined {
  for (const statement of file.statements) {
    if (!ts.isExportAssignment(statement)) continue
    let expression: ts.Expression = statement.expression
    if (ts.isCallExpression(expression) && expression.arguments[0]) expression = expression.arguments[0]
    if (ts.isObjectLiteralExpression(expression)) return expression
  }
  return undefined
}

export function nameOf(property: ts.ObjectLiteralElementLike, file: ts.SourceFile): string | undefined {
  const name = property.name
  if (!name) return undefined
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text
  return name.getText(file)
}

export function property(object: ts.ObjectLiteralExpression, name: string, file: ts.SourceFile): ts.PropertyAssignment | undefined {
  return object.properties.find(
    (candidate): candidate is ts.PropertyAssignment => ts.isPropertyAssignment(candidate) && nameOf(candidate, file) === name,
  )
}

export function objectAt(object: ts.ObjectLiteralExpression | undefined, path: string[], file: ts.SourceFile): ts.ObjectLiteralExpression | undefined {
  let current = object
  for (const name of path) {
    const next = current ? property(current, name, file)?.initializer : undefined
    current = next && ts.isObjectLiteralExpression(next) ? next : undefined
  }
  return current
}
