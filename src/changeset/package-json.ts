import { ts } from 'ts-morph'
import { MigrationError } from '../errors.js'
import { propertyRemoval } from '../ast/object-literal.js'

export const DEPENDENCY_SECTIONS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const

export type DependencySection = (typeof DEPENDENCY_SECTIONS)[number]

interface Edit {
  start: number
  end: number
  text: string
}

function parse(text: string): { file: ts.JsonSourceFile; root: ts.ObjectLiteralExpression } {
  const file = ts.parseJsonText('package.json', text)
  const root = file.statements[0]?.expression
  if (!root || !ts.isObjectLiteralExpression(root)) throw new MigrationError('package.json: the top level is not an object')
  return { file, root }
}

function propertyName(prop: ts.ObjectLiteralElementLike): string | undefined {
  return ts.isPropertyAssignment(prop) && ts.isStringLiteral(prop.name) ? prop.name.text : undefined
}

function findProperty(object: ts.ObjectLiteralExpression, name: string): ts.PropertyAssignment | undefined {
  return object.properties.find((prop): prop is ts.PropertyAssignment => propertyName(prop) === name)
}

function section(root: ts.ObjectLiteralExpression, name: string): ts.ObjectLiteralExpression | undefined {
  const prop = findProperty(root, name)
  return prop && ts.isObjectLiteralExpression(prop.initializer) ? prop.initializer : undefined
}

function applyEdits(text: string, edits: Edit[]): string {
  let out = text
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end)
  return out
}

/** The whitespace before a node on its line (the file's own indentation). */
function lineIndent(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1
  return /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? ''
}

function detectIndentUnit(text: string): string {
  return /\n([ \t]+)"/.exec(text)?.[1] ?? '  '
}

/** Inserts `"name": value` into an object, in alphabetical position when the object is sorted. */
function insertProperty(file: ts.JsonSourceFile, object: ts.ObjectLiteralExpression, entry: string, name: string, indent: string): Edit {
  const text = file.text
  const props = object.properties
  if (props.length === 0) {
    const closeIndent = lineIndent(text, object.end - 1)
    return { start: object.getStart(file) + 1, end: object.end - 1, text: `\n${closeIndent}${indent}${entry}\n${closeIndent}` }
  }
  const names = props.map(propertyName)
  const sorted = names.every((n, i) => i === 0 || (names[i - 1] ?? '') <= (n ?? ''))
  const before = sorted ? props.find((prop) => (propertyName(prop) ?? '') > name) : undefined
  if (before) {
    const propIndent = lineIndent(text, before.getStart(file))
    const lineStart = text.lastIndexOf('\n', before.getStart(file) - 1) + 1
    return { start: lineStart, end: lineStart, text: `${propIndent}${entry},\n` }
  }
  const last = props[props.length - 1]!
  const propIndent = lineIndent(text, last.getStart(file))
  return { start: last.end, end: last.end, text: `,\n${propIndent}${entry}` }
}

export interface DependencyChange {
  remove: string[]
  add: { name: string; version: string; dev: boolean }[]
}

/**
 * Applies dependency removals and additions to package.json as text edits, so the file keeps its
 * formatting. Idempotent: removing an absent package or adding one already at that version is a no-op.
 */
export function editDependencies(text: string, change: DependencyChange): string {
  let out = text
  for (const name of change.remove) {
    for (const sectionName of DEPENDENCY_SECTIONS) {
      const { file, root } = parse(out)
      const object = section(root, sectionName)
      const prop = object && findProperty(object, name)
      if (object && prop) out = applyEdits(out, [propertyRemoval(file, object, prop)])
    }
  }
  for (const dep of change.add) {
    const { file, root } = parse(out)
    const sectionName = dep.dev ? 'devDependencies' : 'dependencies'
    const existing = DEPENDENCY_SECTIONS.map((s) => section(root, s) && findProperty(section(root, s)!, dep.name)).find(Boolean)
    const value = JSON.stringify(dep.version)
    if (existing) {
      if (existing.initializer.getText(file) !== value) {
        out = applyEdits(out, [{ start: existing.initializer.getStart(file), end: existing.initializer.end, text: value }])
      }
      continue
    }
    const indent = detectIndentUnit(out)
    const entry = `${JSON.stringify(dep.name)}: ${value}`
    const object = section(root, sectionName)
    if (object) {
      out = applyEdits(out, [insertProperty(file, object, entry, dep.name, indent)])
    } else {
      const block = `${JSON.stringify(sectionName)}: {\n${indent}${indent}${entry}\n${indent}}`
      out = applyEdits(out, [insertProperty(file, root, block, sectionName, indent)])
    }
  }
  return out
}

/** Whether package.json lists `name` in one of `sections` (every dependency section unless given); false when its top level is not an object. */
export function listsDependency(text: string, name: string, sections: readonly DependencySection[] = DEPENDENCY_SECTIONS): boolean {
  const root = ts.parseJsonText('package.json', text).statements[0]?.expression
  if (!root || !ts.isObjectLiteralExpression(root)) return false
  return sections.some((sectionName) => {
    const object = section(root, sectionName)
    return object !== undefined && findProperty(object, name) !== undefined
  })
}
