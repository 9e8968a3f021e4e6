import { describe, expect, it } from 'vitest'
import { Project, SyntaxKind } from 'ts-morph'
import { indentBlock, isInString, moveCode, reindentEdits } from '../../transforms/shared/reindent.js'

const apply = (text: string, edits: { start: number; end: number; text: string }[]) =>
  [...edits].sort((a, b) => b.start - a.start).reduce((out, edit) => out.slice(0, edit.start) + edit.text + out.slice(edit.end), text)

describe('re-indenting moved code', () => {
  it('re-bases the lines after the first on the target line, keeping their relative indentation', () => {
    expect(moveCode("{\n      a: 1,\n      b: [\n        2,\n      ],\n    }", { line: '    ' }, { line: '  ' })).toBe("{\n    a: 1,\n    b: [\n      2,\n    ],\n  }")
    expect(moveCode('{\n\t\t\ta,\n\t\t}', { line: '\t\t' }, { line: '\t' })).toBe('{\n\t\ta,\n\t}')
  })

  it('leaves lines that start inside a template literal alone', () => {
    const code = "const x = f({\n      note: `one\n  two`,\n    })\n"
    const file = new Project({ useInMemoryFileSystem: true }).createSourceFile('/a.ts', code)
    const object = file.getFirstDescendantByKindOrThrow(SyntaxKind.ObjectLiteralExpression)
    expect(moveCode(object.getText(), { line: '    ' }, { line: '  ' })).toBe("{\n    note: `one\n  two`,\n  }")
    const edits = reindentEdits(code, object.getStart(), object.getEnd(), '    ', '  ', (offset) => isInString(file, offset))
    expect(apply(code, edits)).toBe("const x = f({\n    note: `one\n  two`,\n  })\n")
  })

  it('writes the moved lines in the indent unit of the file they land in, leaving template literal lines alone', () => {
    const body = "if (a) {\n        for (const b of c) {\n            log(`one\n    two ${b}\n        three`)\n        }\n        /**\n         * why\n         */\n    }"
    const twoSpaces = "if (a) {\n    for (const b of c) {\n      log(`one\n    two ${b}\n        three`)\n    }\n    /**\n     * why\n     */\n  }"
    expect(moveCode(body, { line: '    ', unit: '    ' }, { line: '  ', unit: '  ' })).toBe(twoSpaces)
    const tabs = "if (a) {\n\t\tfor (const b of c) {\n\t\t\tlog(`one\n    two ${b}\n        three`)\n\t\t}\n\t\t/**\n\t\t * why\n\t\t */\n\t}"
    expect(moveCode(body, { line: '    ', unit: '    ' }, { line: '\t', unit: '\t' })).toBe(tabs)
    expect(moveCode(tabs, { line: '\t', unit: '\t' }, { line: '  ', unit: '  ' })).toBe(twoSpaces)
  })

  it('indents a block line by line, template literal lines and nested template expressions included', () => {
    const code = "const a = `x ${f({ b: `in\n  side` })}\n  y`\nreturn {\n  a,\n}"
    expect(indentBlock(code, '\t')).toBe("\tconst a = `x ${f({ b: `in\n  side` })}\n  y`\n\treturn {\n\t  a,\n\t}")
  })
})
