import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { execa } from 'execa'
import { afterAll, describe, expect, it } from 'vitest'
import { repoRoot, tempDir } from '../helpers/cli.js'

/**
 * The migrated client code must type-check. Each fixture's after/app is checked by vue-tsc (the
 * checker behind `nuxi typecheck`) together with the runtime's real useChatSSE.ts and a stand-in for
 * Nuxt's auto-imports, so `.vue` blocks are checked too. Code the tool left for a human is allowed
 * to fail only on the lines it reported; everything it generated must be clean.
 */
const FIXTURES = ['client-composable', 'client-vue', 'client-plugin', 'client-plugin-kept', 'client-provide-inject', 'client-singleton']

const temp = tempDir('tsm-client-tsc-')
afterAll(() => temp.cleanup())

const NUXT_APP = `export interface NuxtApp {
  provide(name: string, value: unknown): void
  runWithContext<T>(fn: () => T): T
}
`

/** Nuxt's auto-imports: Vue's API, the few Nuxt composables the fixtures use, and the app's own composables and utils. */
function autoImports(appDir: string): string {
  const vue = ['ref', 'shallowRef', 'readonly', 'shallowReadonly', 'markRaw', 'computed', 'onMounted', 'onUnmounted', 'onBeforeUnmount', 'provide', 'inject']
  const own: string[] = []
  for (const dir of ['composables', 'utils']) {
    const abs = path.join(appDir, dir)
    if (!existsSync(abs)) continue
    for (const file of readdirSync(abs).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(path.join(abs, file), 'utf8')
      for (const match of text.matchAll(/export (?:async )?(?:function|const) (\w+)/g)) {
        own.push(`  const ${match[1]}: typeof import('./app/${dir}/${file.replace(/\.ts$/, '')}').${match[1]}`)
      }
    }
  }
  return `import type * as Vue from 'vue'
import type { NuxtApp } from './nuxt-app'

declare global {
${vue.map((name) => `  const ${name}: typeof Vue.${name}`).join('\n')}
  function useCookie<T = string | null>(name: string): Vue.Ref<T | null>
  function useRuntimeConfig(): { public: Record<string, string> }
  function $fetch<T = unknown>(url: string, options?: Record<string, unknown>): Promise<T>
  function navigateTo(path: string): Promise<void>
  function defineNuxtPlugin<T>(setup: (nuxtApp: NuxtApp) => T): T
  function useNuxtApp(): NuxtApp
${own.join('\n')}
}

export {}
`
}

/** `file(line,col): error TS...: message` lines of vue-tsc, as repo-relative file and line. */
function typeErrors(output: string, root: string): { file: string; line: number; message: string }[] {
  return [...output.matchAll(/^(.+?)\((\d+),\d+\): error (TS\d+: .*)$/gm)].map((m) => ({
    file: path.relative(root, path.resolve(root, m[1]!)).split(path.sep).join('/'),
    line: Number(m[2]),
    message: m[3]!,
  }))
}

describe('migrated client code type-checks', () => {
  for (const fixture of FIXTURES) {
    it(fixture, async () => {
      const after = path.join(repoRoot, 'fixtures', fixture, 'after')
      const root = path.join(temp.dir, fixture)
      cpSync(path.join(after, 'app'), path.join(root, 'app'), { recursive: true })
      cpSync(path.join(repoRoot, 'src/runtime/app/composables/useChatSSE.ts'), path.join(root, 'app/composables/useChatSSE.ts'))
      writeFileSync(path.join(root, 'nuxt-app.d.ts'), NUXT_APP)
      writeFileSync(path.join(root, 'auto-imports.d.ts'), autoImports(path.join(root, 'app')))
      writeFileSync(
        path.join(root, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            // As strict as the tsconfig Nuxt 4 generates.
            target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, noEmit: true, skipLibCheck: true,
            noUncheckedIndexedAccess: true, verbatimModuleSyntax: true, noImplicitOverride: true,
            lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: [], jsx: 'preserve',
            typeRoots: [path.join(repoRoot, 'node_modules/@types')],
            paths: { '~/*': ['./app/*'], '#app': ['./nuxt-app.d.ts'], vue: [path.join(repoRoot, 'node_modules/vue')] },
          },
          include: ['app/**/*.ts', 'app/**/*.vue', '*.d.ts'],
        }),
      )
      const result = await execa(path.join(repoRoot, 'node_modules/.bin/vue-tsc'), ['--noEmit', '-p', 'tsconfig.json'], { cwd: root, reject: false, timeout: 120_000 })
      const errors = typeErrors(result.stdout + result.stderr, root)
      // The report lists what was left for a human; only those lines may fail.
      const report = readFileSync(path.join(repoRoot, 'fixtures', fixture, 'report.txt'), 'utf8')
      const leftAsIs = report.split('\n').filter((line) => / (warning|security) /.test(line))
      const unexplained = errors.filter((error) => {
        const source = readFileSync(path.join(root, error.file), 'utf8').split('\n')[error.line - 1]?.trim() ?? ''
        return !leftAsIs.some((line) => line.startsWith(`${error.file}:`) && reportedCall(source).some((name) => line.includes(name)))
      })
      expect(unexplained, result.stdout).toEqual([])
      expect(result.exitCode === 0, 'vue-tsc exit code matches its errors').toBe(errors.length === 0)
    })
  }
})

/** What a left-as-is line is about, as the report names it: `add_reaction`, `socket.io`, `socket.id`. */
function reportedCall(source: string): string[] {
  const names = [...source.matchAll(/\.emit\(\s*['"]([\w:.-]+)['"]/g)].map((m) => `\`${m[1]}\``)
  if (/\.io\./.test(source)) names.push('`socket.io`')
  if (/\.emit\(\s*[^'"\s]/.test(source)) names.push('event name is not a string literal')
  for (const m of source.matchAll(/[\w$]+(?:\.value)?\??\.(?:connected|disconnected|id|emit|io)\b/g)) names.push(`\`${m[0]}\``)
  return names
}
