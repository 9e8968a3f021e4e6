import { ts } from 'ts-morph'

/**
 * The text edit that removes one property of an object literal with its comma, its line and the
 * comments before it; removing the only property leaves `{}`.
 */
export function propertyRemoval(file: ts.SourceFile, object: ts.ObjectLiteralExpression, property: ts.ObjectLiteralElementLike): { start: number; end: number; text: string } {
  const properties = object.properties
  const index = properties.indexOf(property)
  if (properties.length === 1) return { start: object.getStart(file) + 1, end: object.end - 1, text: '' }
  const next = properties[index + 1]
  if (next) return { start: property.pos, end: next.pos, text: '' }
  return { start: properties[index - 1]!.end, end: property.end, text: '' }
}
