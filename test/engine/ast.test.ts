import { Node, Project, SyntaxKind, ts, type SourceFile } from 'ts-morph'
import { describe, expect, it } from 'vitest'
import { unwrapExpression } from '../../src/ast/expression.js'
import { propertyRemoval } from '../../src/ast/object-literal.js'
import { isDeclaredInFile, localDeclarations, referencesInFile } from '../../src/ast/scope.js'
import { descendantsOfKind, identifierNames, identifiers, mentionsIdentifier } from '../../src/ast/walk.js'
import { declarationsOf, exportedDeclarations, exportedNames } from '../../src/analysis/symbols.js'

function project(files: Record<string, string>): { project: Project; file(path: string): SourceFile } {
  const p = new Project({ useInMemoryFileSystem: true, compilerOptions: { noLib: true } })
  for (const [path, text] of Object.entries(files)) p.createSourceFile(path, text)
  return { project: p, file: (path) => p.getSourceFileOrThrow(path) }
}

/** The identifier spelled `name` at its `nth` occurrence (0-based) in the file. */
function idAt(file: SourceFile, name: string, nth = 0): Node & { getText(): string } {
  const found = identifiers(file, name)[nth]
  if (!found) throw new Error(`no ${name} #${nth}`)
  return found
}

describe('in-file name resolution (what getSymbol() gave, without the checker)', () => {
  const { file } = project({
    '/a.ts': [
      "import { io as server } from 'x'",
      'const io = server',
      'function f(io: number) { return io }',
      'const g = () => { const io = 2; return io }',
      'io.emit()',
      'const o = { io, other: io, server: 1 }',
      'o.io',
      'export { io }',
      'label: for (;;) { break label }',
      '',
    ].join('\n'),
  })
  const a = file('/a.ts')

  it('finds every use of a top-level binding and nothing that shadows or only spells it', () => {
    const declaration = idAt(a, 'io', 1) // `const io = server`
    const refs = referencesInFile(declaration as never).map((id) => id.getParentOrThrow().getKindName())
    // `io.emit()`, `{ io }` (shorthand refers to the binding), `other: io`, `export { io }`
    expect(refs).toEqual(['PropertyAccessExpression', 'ShorthandPropertyAssignment', 'PropertyAssignment', 'ExportSpecifier'])
  })

  it('resolves a parameter and a nested const to themselves, an alias import to its specifier', () => {
    const returned = idAt(a, 'io', 3) // `return io` in f
    expect(localDeclarations(returned as never).map((d) => d.getKindName())).toEqual(['Parameter'])
    const nested = idAt(a, 'io', 5) // `return io` in g
    expect(localDeclarations(nested as never).map((d) => d.getKindName())).toEqual(['VariableDeclaration'])
    expect(localDeclarations(idAt(a, 'server', 1) as never).map((d) => d.getKindName())).toEqual(['ImportSpecifier'])
  })

  it("resolves a function expression's own name inside it", () => {
    const { file } = project({ '/n.ts': 'const f = function io() { return io }\n' })
    const inner = idAt(file('/n.ts'), 'io', 1)
    expect(localDeclarations(inner as never).map((d) => d.getKindName())).toEqual(['FunctionExpression'])
  })

  it('gives nothing for member names, property keys and globals', () => {
    const member = a.getDescendantsOfKind(SyntaxKind.PropertyAccessExpression).find((p) => p.getText() === 'o.io')!.getNameNode()
    expect(localDeclarations(member as never)).toEqual([])
    expect(isDeclaredInFile(idAt(a, 'server', 2) as never)).toBe(false) // the key `server: 1`
    const { file: other } = project({ '/b.ts': 'useCookie("t").value\n' })
    expect(isDeclaredInFile(idAt(other('/b.ts'), 'useCookie') as never)).toBe(false)
  })
})

describe('declarations across files', () => {
  const { file } = project({
    '/globals.d.ts': 'declare global { var io: unknown }\nexport {}\n',
    '/util.ts': "import { inner } from './inner'\nexport default { io: null }\nexport const getIo = () => 1\nexport { inner as renamed }\nexport * from './star'\n",
    '/inner.ts': 'export function inner() {}\n',
    '/star.ts': 'export const fromStar = 1\n',
    '/route.ts': 'io.emit()\nconst local = 1\nlocal\n',
  })
  const resolve = (_from: SourceFile, specifier: string) => file(`/${specifier.replace('./', '')}.ts`)

  it('follows default, named, renamed and star exports like getExportedDeclarations()', () => {
    const util = file('/util.ts')
    expect(exportedDeclarations(util, 'default', resolve).map((d) => d.getKindName())).toEqual(['ObjectLiteralExpression'])
    expect(exportedDeclarations(util, 'getIo', resolve).map((d) => d.getKindName())).toEqual(['VariableDeclaration'])
    expect(exportedDeclarations(util, 'renamed', resolve).map((d) => d.getKindName())).toEqual(['FunctionDeclaration'])
    expect(exportedDeclarations(util, 'fromStar', resolve).map((d) => d.getKindName())).toEqual(['VariableDeclaration'])
    expect(exportedDeclarations(util, 'missing', resolve)).toEqual([])
    expect(exportedNames(util).sort()).toEqual(['default', 'getIo', 'renamed'])
  })

  it('asks the checker only for a name some file declares globally', () => {
    const route = file('/route.ts')
    expect(declarationsOf(idAt(route, 'io')).map((d) => d.getSourceFile().getBaseName())).toEqual(['globals.d.ts'])
    expect(declarationsOf(idAt(route, 'local', 1)).map((d) => d.getKindName())).toEqual(['VariableDeclaration'])
  })
})

describe('parse-tree walks', () => {
  const { file } = project({ '/w.ts': '/** @param {Socket} s */\nfunction f(s) { return s.emit(a, b) }\n' })
  const w = file('/w.ts')

  it('match ts-morph for nodes, leave JSDoc out, and wrap the cached nodes', () => {
    expect(descendantsOfKind(w, SyntaxKind.CallExpression).map((c) => c.getText())).toEqual(['s.emit(a, b)'])
    expect(descendantsOfKind(w, SyntaxKind.CallExpression)[0]).toBe(w.getFirstDescendantByKind(SyntaxKind.CallExpression))
    expect([...identifierNames(w)].sort()).toEqual(['a', 'b', 'emit', 'f', 's'])
    expect(mentionsIdentifier(w, 'Socket')).toBe(false)
    expect(identifiers(w, 's')).toHaveLength(2)
  })
})

describe('unwrapExpression', () => {
  const initializer = (code: string): Node => project({ '/u.ts': `const x = ${code}` }).file('/u.ts').getVariableDeclarationOrThrow('x').getInitializerOrThrow()

  it('sees through parentheses, `!`, `as`, `satisfies` and `<T>` casts, nested in any order', () => {
    for (const code of ['(io)', 'io!', 'io as Server', 'io satisfies Server', '<Server>io', '((<any>(io as unknown))! satisfies object)']) {
      expect(unwrapExpression(initializer(code)).getText(), code).toBe('io')
    }
  })

  it('stops at the first node that computes a value', () => {
    expect(unwrapExpression(initializer('(useNuxtApp().$io as Socket)')).getText()).toBe('useNuxtApp().$io')
    expect(unwrapExpression(initializer('(a ?? b)!')).getText()).toBe('a ?? b')
  })
})

describe('propertyRemoval', () => {
  /** The text after removing the property named `name` from the object `o = {…}`. */
  const without = (text: string, name: string): string => {
    const file = ts.createSourceFile('/c.ts', text, ts.ScriptTarget.Latest, true)
    const statement = file.statements[0] as ts.VariableStatement
    const object = statement.declarationList.declarations[0]!.initializer as ts.ObjectLiteralExpression
    const property = object.properties.find((p) => p.name?.getText(file) === name)!
    const edit = propertyRemoval(file, object, property)
    return text.slice(0, edit.start) + edit.text + text.slice(edit.end)
  }
  const text = 'const o = {\n  a: 1,\n  // about b\n  b: 2,\n  c: 3,\n}\n'

  it('takes a property with its comma, its line and the comment above it', () => {
    expect(without(text, 'b')).toBe('const o = {\n  a: 1,\n  c: 3,\n}\n')
    expect(without(text, 'a')).toBe('const o = {\n  // about b\n  b: 2,\n  c: 3,\n}\n')
  })

  it('takes the comma before the last property', () => {
    expect(without('const o = { a: 1, b: 2 }\n', 'b')).toBe('const o = { a: 1 }\n')
  })

  it('leaves {} when the only property goes', () => {
    expect(without('const o = {\n  a: 1,\n}\n', 'a')).toBe('const o = {}\n')
  })
})
