import { afterEach, describe, expect, it } from 'vitest'
import { planMigration } from '../../src/plan.js'
import { applyStyle, convertQuotes } from '../../src/style/apply.js'
import { detectFileStyle, detectStyle } from '../../src/style/detect.js'
import type { CodeStyle } from '../../src/style/types.js'
import type { Transform } from '../../src/transform.js'
import { writeSocketApp } from '../bad-input/setup.js'
import { tempDir } from '../helpers/cli.js'

let cleanups: (() => void)[] = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup()
})

/** A component whose template quotes attributes with `"` (as every Vue template does) and whose script uses `'`. */
const component =
  '<template>\n  <div class="chat" id="main" :title="online ? \'on\' : \'off\'">\n    <span class="dot" data-testid="dot" />\n  </div>\n</template>\n\n' +
  "<script setup lang=\"ts\">\nconst socket = useChatSSE()\nsocket.on('typing', () => {\n    console.log('typing')\n})\n</script>\n"

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

describe('style of a .vue file', () => {
  it('is read from its script blocks only, not from the template attributes', () => {
    expect(detectStyle(component).quote).toBe('"') // what counting the whole file gets wrong
    expect(detectFileStyle('app/components/Chat.vue', component)).toEqual({ quote: "'", semicolons: false, indent: '    ' })
    expect(detectFileStyle('app/utils/chat.ts', 'export const a = "b";\n')).toEqual({ quote: '"', semicolons: true, indent: '  ' })
  })

  it('is what ctx.styleOf gives for a .vue file a transform created during the run', async () => {
    const t = tempDir('tsm-style-')
    cleanups.push(t.cleanup)
    writeSocketApp(t.dir, {
      'server/plugins/socket.io.ts': 'import { Server } from "socket.io";\nexport default defineNitroPlugin(() => {\n  const io = new Server();\n});\n',
    })
    let seen: CodeStyle | undefined
    const probe: Transform = {
      id: 'probe',
      title: 'test: read the style of a new component',
      run(ctx) {
        ctx.changes.create('app/components/Chat.vue', component, { transform: 'probe', reason: 'test' })
        seen = ctx.styleOf('app/components/Chat.vue')
      },
    }
    await planMigration(t.dir, { transforms: [probe] })
    expect(seen).toEqual({ quote: "'", semicolons: false, indent: '    ' })
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
