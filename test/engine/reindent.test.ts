import { describe, expect, it } from 'vitest'
import { Project, SyntaxKind } from 'ts-morph'
import { isInString, reindent, reindentEdits, textLinesOf } from '../../transforms/shared/reindent.js'

const apply = (text: string, edits: { start: number; end: number; text: string }[]) =>
  [...edits].sort((a, b) => b.start - a.start).reduce((out, edit) => out.slice(0, edit.start) + edit.text + out.slice(edit.end), text)

describe('re-indenting moved code', () => {
  it('re-bases the lines after the first on the target line, keeping their relative indentation', () => {
    expect(reindent("{\n      a: 1,\n      b: [\n        2,\n      ],\n    }", '    ', '  ')).toBe("{\n    a: 1,\n    b: [\n      2,\n    ],\n  }")
    expect(reindent('{\n\t\t\ta,\n\t\t}', '\t\t', '\t')).toBe('{\n\t\ta,\n\t}')
  })

  it('leaves lines that start inside a template literal alone', () => {
    const code = "const x = f({\n      note: `one\n  two`,\n    })\n"
    const file = new Project({ useInMemoryFileSystem: true }).createSourceFile('/a.ts', code)
    const object = file.getFirstDescendantByKindOrThrow(SyntaxKind.ObjectLiteralExpression)
    expect(reindent(object.getText(), '    ', '  ', textLinesOf(object))).toBe("{\n    note: `one\n  two`,\n  }")
    const edits = reindentEdits(code, object.getStart(), object.getEnd(), '    ', '  ', (offset) => isInString(file, offset))
    expect(apply(code, edits)).toBe("const x = f({\n    note: `one\n  two`,\n  })\n")
  })
})
