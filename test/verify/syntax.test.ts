import { afterEach, describe, expect, it } from 'vitest'
import type { Transform } from '../../src/transform.js'
import { findSyntaxErrors } from '../../src/verify/syntax.js'
import { runInProcess, tempDir } from '../helpers/cli.js'
import { diffTrees, readTree } from '../helpers/tree.js'
import { createFiles, markPlugin, writeSocketApp } from '../bad-input/setup.js'

let cleanups: (() => void)[] = []
afterEach(() => {
  for (const cleanup of cleanups) cleanup()
  cleanups = []
})
function temp(): string {
  const t = tempDir('tsm-verify-')
  cleanups.push(t.cleanup)
  return t.dir
}

/** A test-only transform that rewrites one existing file to a given text. */
function rewrite(file: string, text: string): Transform {
  return {
    id: 'break-file',
    title: 'test: rewrite a file',
    run(ctx) {
      const before = ctx.changes.currentText(file)
      ctx.changes.write(file, text, before, { transform: 'break-file', reason: 'test' })
    },
  }
}

const meta = [{ transform: 'packages', reason: 'test' }]

describe('verify: syntax of the planned files', () => {
  it('finds the first parse error of a changed .ts file with line, column and the editing transforms', () => {
    const before = "export default defineNuxtConfig({\n  runtimeConfig: {\n    public: {},\n  },\n})\n"
    const text = "export default defineNuxtConfig({\n  runtimeConfig: {\n    sse: { redisUrl: '' }\n    public: {},\n  },\n})\n"
    expect(findSyntaxErrors([{ kind: 'update', path: 'nuxt.config.ts', before, text, meta }])).toEqual([
      { path: 'nuxt.config.ts', line: 4, column: 5, message: "',' expected.", transforms: ['packages'] },
    ])
  })

  it('checks .vue script blocks at their place in the file, package.json, and created files', () => {
    const vue = '<template><div /></template>\n<script setup lang="ts">\nconst a = (\n</script>\n'
    const findings = findSyntaxErrors([
      { kind: 'create', path: 'app/components/Chat.vue', text: vue, meta },
      { kind: 'update', path: 'package.json', before: '{}\n', text: '{\n  "a": 1,\n}\n', meta },
      { kind: 'create', path: 'server/utils/ok.mjs', text: 'export const ok = 1\n', meta },
    ])
    expect(findings.map((finding) => [finding.path, finding.line])).toEqual([
      ['app/components/Chat.vue', 3],
      ['package.json', 3],
    ])
  })

  it('leaves alone a file that did not parse before the migration either', () => {
    const broken = 'const a = (\n'
    expect(findSyntaxErrors([{ kind: 'update', path: 'a.ts', before: broken, text: `// x\n${broken}`, meta }])).toEqual([])
  })

  it('a transform that writes code which does not parse: exit 3, nothing written, the file and transform named', async () => {
    const root = temp()
    writeSocketApp(root)
    const before = readTree(root)
    const result = await runInProcess([root, '--no-install', '--allow-dirty'], {
      transforms: [markPlugin, createFiles({ 'server/utils/ok.ts': 'export {}\n' }), rewrite('nuxt.config.ts', 'export default defineNuxtConfig({\n  a: 1\n  b: 2\n})\n')],
    })
    expect(result.exitCode).toBe(3)
    expect(result.stderr).toContain("nuxt.config.ts:3:3: ',' expected. (edited by break-file)")
    expect(result.stderr).toContain('bug of tutor-sse-migrate')
    expect(diffTrees(readTree(root), before), 'the tree must be byte-identical').toBe('')
    for (const flag of ['--dry-run', '--check']) {
      const other = await runInProcess([root, flag], { transforms: [rewrite('nuxt.config.ts', 'export default {\n')] })
      expect(other.exitCode, flag).toBe(3)
    }
  })
})
