import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { describeLib, libFileNames, libManifest, readShippedManifest } from '../../src/verify/lib-manifest.js'
import { DEFAULT_LIB, readLib } from '../../src/verify/lib-files.js'
import { CHECKER_GLOBALS, CHECKER_MEMBERS, libLength, trimLib } from '../../src/verify/lib-trimming.js'
import type { ProgramInput } from '../../src/verify/program-checker.js'
import { wordsOf } from '../../src/verify/words.js'
import { typeCheckOptions } from '../../src/verify/type-options.js'
import { compareWithWholeLib, treeInput, wholeLib } from '../helpers/lib-equivalence.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

/** The TypeScript the check runs: ts-morph's own copy. */
function typescriptSource(): string {
  const fromTsMorph = createRequire(createRequire(import.meta.url).resolve('ts-morph'))
  return readFileSync(path.join(path.dirname(fromTsMorph.resolve('@ts-morph/common')), 'typescript.js'), 'utf8')
}

const manifest = libManifest()
const fullSize = libLength(wholeLib().values())

describe('the lib trimmed to what the checked code can reach', () => {
  it('follows every global and member TypeScript’s checker looks up by itself', () => {
    const source = typescriptSource()
    const globals = new Set([...source.matchAll(/\bgetGlobal\w*\(\s*"([A-Za-z_]+)"/g)].map((match) => match[1]!))
    const members = new Set([...source.matchAll(/\b(?:getPropertyOfType|getTypeOfPropertyOfType|getPropertyOfObjectType|getTypeOfPropertyOfContextualType)\(\s*[^,()]+(?:\([^()]*\))?,\s*"([A-Za-z_]+)"/g)].map((match) => match[1]!))
    // An iterator's methods are read through a variable: `getPropertyOfType(type, methodName)`.
    expect(source).toMatch(/methodName !== "next"/)
    for (const name of ['next', 'return', 'throw']) members.add(name)
    expect(globals.size).toBeGreaterThan(30)
    expect([...globals].filter((name) => !CHECKER_GLOBALS.includes(name))).toEqual([])
    expect([...members].filter((name) => !CHECKER_MEMBERS.includes(name))).toEqual([])
  })

  it('ships a manifest that describes the lib the check loads', () => {
    const shipped = path.join(root, 'dist/lib-manifest.json')
    expect(existsSync(shipped), 'npm run build writes dist/lib-manifest.json').toBe(true)
    expect(JSON.parse(readFileSync(shipped, 'utf8'))).toEqual(describeLib(DEFAULT_LIB, readLib))
  })

  it('reads the shipped manifest only when it describes this lib, else leaves it to be computed', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lib-manifest-'))
    try {
      const file = path.join(dir, 'lib-manifest.json')
      const described = describeLib(DEFAULT_LIB, readLib)
      const write = (manifest: unknown) => writeFileSync(file, JSON.stringify(manifest))
      expect(readShippedManifest(file)).toBeUndefined()
      write(described)
      expect(readShippedManifest(file)).toEqual(described)
      write({ ...described, format: described.format + 1 })
      expect(readShippedManifest(file)).toBeUndefined()
      write({ ...described, typescript: '0.0.1' })
      expect(readShippedManifest(file)).toBeUndefined()
      write({ ...described, files: { ...described.files, 'lib.es5.d.ts': { ...described.files['lib.es5.d.ts']!, length: 1 } } })
      expect(readShippedManifest(file)).toBeUndefined()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('keeps every language lib file, and no DOM one', () => {
    const names = libFileNames(DEFAULT_LIB, readLib)
    expect(names).toEqual(expect.arrayContaining(['lib.es5.d.ts', 'lib.es2015.iterable.d.ts', 'lib.es2023.array.d.ts', 'lib.decorators.d.ts']))
    expect(names.some((name) => name.includes('dom'))).toBe(false)
  })

  const SNIPPETS: Record<string, string> = {
    'iteration': `
      const list = [1, 2]; for (const item of list) { const s: string = item }
      const map = new Map<string, number>(); for (const [key, value] of map) { const n: number = key; const s: string = value }
      const set = new Set([1]); const spread: string[] = [...set]
      const [first] = 'ab'; const n: number = first
      for (const entry of Object.entries({ a: 1 })) { const s: string = entry[1] }
      function* gen() { yield 1 } for (const v of gen()) { const s: string = v }
      async function* agen() { yield 1 } async function f() { for await (const v of agen()) { const s: string = v } }
    `,
    'promises': `
      async function load(): Promise<number> { return 1 }
      async function run() { const v: string = await load(); const all: string[] = await Promise.all([load()]) }
      Promise.allSettled([load()]).then((results) => { const s: string = results[0]!.status === 'fulfilled' ? results[0].value : '' })
      const resolvers = Promise.withResolvers<number>(); const p: Promise<string> = resolvers.promise
    `,
    'newer array and string members': `
      const list = [3, 1]
      const last: string | undefined = list.at(-1)
      const found: string | undefined = list.findLast((n) => n > 1)
      const sorted: string[] = list.toSorted()
      const replaced: number = 'a-b'.replaceAll('-', ' ')
      const grouped = Object.groupBy(list, (n) => (n > 1 ? 'big' : 'small')); const g: number = grouped
      const flat: string[] = [[1]].flat()
      const hasOwn: string = Object.hasOwn({}, 'a')
    `,
    'dates, intl and regexps': `
      const time: number = new Date().toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })
      const fmt = new Intl.DateTimeFormat('en', { dateStyle: 'medium' }); const out: number = fmt.format(new Date())
      const parts = new Intl.NumberFormat('en').formatToParts(1); const kind: number = parts[0]!.type
      const rel = new Intl.RelativeTimeFormat('en').format(-1, 'day'); const r: number = rel
      const match = /(?<year>\\d+)/.exec('2026'); const year: number | undefined = match?.groups?.year
      for (const m of 'a1b2'.matchAll(/\\d/g)) { const idx: string = m.index }
      const bad = new Intl.DateTimeFormat('en', { dateStyle: 'sometimes' })
    `,
    'errors, json, symbols and numbers': `
      const err = new Error('x', { cause: 1 }); const cause: string = err.cause
      const parsed: number = JSON.stringify({})
      const sym: string = Symbol('s')
      const big = 10n * 2n; const b: number = big
      const weak = new WeakMap<object, string>(); const w: number | undefined = weak.get({})
      const buffer = new Uint8Array(4); const first: string = buffer[0]
      const record: Record<string, number> = { a: 'b' }
      const awaited: Awaited<Promise<number>> = 'x'
    `,
    'decorators, disposables and generics': `
      function logged(value: (this: unknown, ...args: number[]) => void, context: ClassMethodDecoratorContext) { const n: number = context.name }
      class Greeter { @logged greet(count: number) {} }
      function first<T>(items: readonly T[]): T | undefined { return items[0] }
      const f: string | undefined = first([1])
      const frozen = Object.freeze({ a: 1 }); frozen.a = 2
      const readonlyList: readonly number[] = [1]; readonlyList.push(2)
      const key: keyof typeof frozen = 'b'
    `,
  }

  for (const [name, code] of Object.entries(SNIPPETS)) {
    it(`finds the same errors as the whole lib: ${name}`, () => {
      const file = '/app/snippet.ts'
      const input: ProgramInput = {
        rootDir: '/app',
        options: typeCheckOptions('/nonexistent', { strict: true }).options,
        rootNames: ['/app/environment.d.ts', file],
        texts: new Map([['/app/environment.d.ts', 'export {}\n'], [file, code]]),
        resolutions: new Map(),
        words: wordsOf([code]),
      }
      const { whole, trimmed, kept } = compareWithWholeLib(input)
      // Each snippet's mistakes are found through the lib's types: a lib that lost them would find fewer.
      expect(whole.length).toBeGreaterThanOrEqual(4)
      expect(trimmed).toEqual(whole)
      expect(kept).toBeLessThan(fullSize)
    })
  }

  it('finds the same errors as the whole lib when the repo names an older lib', () => {
    const files = Object.values(SNIPPETS).map((code, index) => [`/app/snippet-${index}.ts`, code] as const)
    const options = typeCheckOptions('/nonexistent', { strict: true, lib: ['lib.es2020.d.ts', 'lib.dom.d.ts'] }).options
    expect(options.lib).toEqual(['lib.es2020.d.ts'])
    const input: ProgramInput = {
      rootDir: '/app',
      options,
      rootNames: ['/app/environment.d.ts', ...files.map(([file]) => file)],
      texts: new Map([['/app/environment.d.ts', 'export {}\n'], ...files]),
      resolutions: new Map(),
      words: wordsOf(files.map(([, code]) => code)),
    }
    const { whole, trimmed } = compareWithWholeLib(input)
    // `at`, `findLast`, `replaceAll`… are newer than es2020: the whole lib says so too.
    expect(whole.filter((diagnostic) => diagnostic.includes('TS2550')).length).toBeGreaterThan(3)
    expect(trimmed).toEqual(whole)
  })

  it('leaves out what the code cannot reach: typed arrays and Temporal unless named', () => {
    const plain = trimLib(manifest, readLib, wordsOf(['const list = [1, 2].map((n) => n * 2)\nconst when = new Date().toLocaleDateString()\n']), [DEFAULT_LIB])
    const text = [...plain.texts.values()].join('\n')
    expect(text).toMatch(/interface Array<T>/)
    expect(text).not.toMatch(/interface Float64Array/)
    expect(text).not.toMatch(/namespace Temporal/)
    const named = [...trimLib(manifest, readLib, wordsOf(['const buffer = new Float64Array(2)\nconst now = Temporal.Now.instant()\n']), [DEFAULT_LIB]).texts.values()].join('\n')
    expect(named).toMatch(/interface Float64Array/)
    expect(named).toMatch(/namespace Temporal/)
  })

  it('packs what it keeps into one file per stretch between module-form files, loaded in the order of the whole lib', () => {
    const lib = trimLib(manifest, readLib, wordsOf(['for (const n of [1].values()) console.log(n)\n']), [DEFAULT_LIB])
    const modules = manifest.order.filter((name) => manifest.files[name]!.module)
    expect(modules.length).toBeGreaterThan(0)
    expect(lib.roots).toEqual(['lib.es5.d.ts'])
    const loaded = [...lib.texts.keys()]
    expect(loaded.length).toBeLessThanOrEqual(2 * modules.length + 1)
    expect([...loaded].sort((a, b) => manifest.order.indexOf(a) - manifest.order.indexOf(b))).toEqual(loaded)
    expect([...lib.texts.values()].join('\n')).not.toMatch(/^\/\/\/ <reference lib="es2015\.core"/m)
    // A lib the manifest does not describe (one that loads the DOM) is loaded as it ships.
    expect(trimLib(manifest, readLib, new Set(), ['lib.esnext.full.d.ts'])).toEqual({ roots: ['lib.esnext.full.d.ts'], texts: new Map() })
  })

  it('finds the same errors as the whole lib in every fixture, before and after the migration', () => {
    const fixtures = path.join(root, 'fixtures')
    const trees = readdirSync(fixtures).flatMap((fixture) => ['before', 'after'].map((side) => path.join(fixtures, fixture, side)).filter((dir) => existsSync(dir)))
    expect(trees.length).toBeGreaterThan(80)
    const differing: string[] = []
    let diagnostics = 0
    for (const dir of trees) {
      const { whole, trimmed } = compareWithWholeLib(treeInput(dir))
      diagnostics += whole.length
      if (JSON.stringify(whole) !== JSON.stringify(trimmed)) differing.push(`${path.relative(fixtures, dir)}: ${JSON.stringify({ whole: whole.filter((d) => !trimmed.includes(d)), trimmed: trimmed.filter((d) => !whole.includes(d)) })}`)
    }
    expect(differing).toEqual([])
    expect(diagnostics).toBeGreaterThan(0)
  }, 300_000)
})
