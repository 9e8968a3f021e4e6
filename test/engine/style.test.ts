import { describe, expect, it } from 'vitest'
import { applyStyle, convertQuotes } from '../../src/style/apply.js'
import { detectStyle } from '../../src/style/detect.js'

describe('style detection', () => {
  it('reads quotes, semicolons and indent from code, ignoring strings and comments', () => {
    expect(detectStyle("import { a } from 'a'\nexport function f() {\n  return 'x'\n}\n")).toEqual({ quote: "'", semicolons: false, indent: '  ' })
    expect(detectStyle('import { a } from "a";\nexport function f() {\n    const s = "it\'s; fine";\n    return s;\n}\n')).toEqual({
      quote: '"',
      semicolons: true,
      indent: '    ',
    })
    expect(detectStyle("// don't; count 'this';\nfunction f() {\n\treturn 1\n}\n").indent).toBe('\t')
  })

  it('falls back to the given style when the code gives no signal', () => {
    expect(detectStyle('', { quote: '"', semicolons: true, indent: '\t' })).toEqual({ quote: '"', semicolons: true, indent: '\t' })
  })
})

describe('applyStyle', () => {
  const generated = "import { emitToRoom } from '../utils/sse'\nexport default defineEventHandler(async (event) => {\n  const body = await readBody(event)\n  if (body) {\n    emitToRoom(body.roomId, 'typing', { at: \"now\" })\n  }\n  return { ok: true }\n})\n"

  it('writes the repo style: double quotes, semicolons, 4 spaces', () => {
    expect(applyStyle(generated, { quote: '"', semicolons: true, indent: '    ' })).toBe(
      'import { emitToRoom } from "../utils/sse";\nexport default defineEventHandler(async (event) => {\n    const body = await readBody(event);\n    if (body) {\n        emitToRoom(body.roomId, "typing", { at: "now" });\n    }\n    return { ok: true };\n});\n',
    )
  })

  it('writes tabs and no semicolons, and is stable when applied twice', () => {
    const style = { quote: "'", semicolons: false, indent: '\t' } as const
    const once = applyStyle(generated, style)
    expect(once).toContain("\tconst body = await readBody(event)\n\tif (body) {\n\t\temitToRoom(body.roomId, 'typing', { at: 'now' })")
    expect(applyStyle(once, style)).toBe(once)
  })

  it('converts quotes keeping escapes right', () => {
    expect(convertQuotes(`const a = "it's"; const b = "say \\"hi\\""; const c = 'a\\\\b'; const t = \`"x"\``, '"')).toBe(
      `const a = "it's"; const b = "say \\"hi\\""; const c = "a\\\\b"; const t = \`"x"\``,
    )
    expect(convertQuotes(`const a = "it's"; const b = "say 'hi' \\"now\\""; const c = "line\\nbreak"`, "'")).toBe(
      `const a = "it's"; const b = 'say \\'hi\\' "now"'; const c = 'line\\nbreak'`,
    )
  })
})
