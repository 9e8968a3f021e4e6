import { afterEach, describe, expect, it } from 'vitest'
import { planMigration } from '../../src/plan.js'
import type { CodeStyle } from '../../src/style/types.js'
import type { Transform } from '../../src/transform.js'
import { writeSocketApp } from '../bad-input/setup.js'
import { tempDir } from '../helpers/cli.js'

let cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups) c()
  cleanups = []
})

describe('planMigration', () => {
  it('gives transforms the style of each file and the dominant style for new files', async () => {
    const t = tempDir('tsm-plan-')
    cleanups.push(t.cleanup)
    writeSocketApp(t.dir, {
      'server/plugins/socket.io.ts': 'import { Server } from "socket.io";\nexport default defineNitroPlugin(() => {\n    const io = new Server();\n});\n',
      'server/api/emit.post.ts': 'export default defineEventHandler(() => {\n    useNitroApp().io?.emit("x", { a: "b" });\n});\n',
      'app/pages/chat.vue': '<template>\n  <div class="chat" id="main"></div>\n</template>\n<script setup lang="ts">\nconst socket = useSocket()\nsocket.emit(\'hello\')\n</script>\n',
    })
    const seen: Record<string, CodeStyle> = {}
    const probe: Transform = {
      id: 'probe',
      title: 'test: read styles',
      run(ctx) {
        seen.vue = ctx.styleOf('app/pages/chat.vue')
        seen.ts = ctx.styleOf('server/plugins/socket.io.ts')
        seen.new = ctx.styleOf()
      },
    }
    const plan = await planMigration(t.dir, { transforms: [probe] })
    expect(seen.vue).toEqual({ quote: "'", semicolons: false, indent: '    ' })
    expect(seen.ts).toEqual({ quote: '"', semicolons: true, indent: '    ' })
    expect(seen.new).toEqual({ quote: '"', semicolons: true, indent: '    ' })
    expect(plan.changes).toEqual([])
    expect(plan.transforms).toEqual(['probe'])
  })

  it('rejects unknown --only / --skip ids before doing any work', async () => {
    await expect(planMigration('/nonexistent', { transforms: [], only: ['nope'] })).rejects.toThrow('unknown transform "nope" (known: none; see --list)')
  })
})
