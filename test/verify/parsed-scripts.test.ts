import { ts } from 'ts-morph'
import { describe, expect, it } from 'vitest'
import { ParsedScripts } from '../../src/verify/parsed-scripts.js'
import { ProgramChecker, type ProgramInput } from '../../src/verify/program-checker.js'
import { findSyntaxErrors } from '../../src/verify/syntax.js'
import { wordsOf } from '../../src/verify/words.js'

const MODULE = "import { helper } from './helper'\nexport const total: number = helper('a')\n"
const SCRIPT = 'const total: number = 1\n'
const ESNEXT: ts.CreateSourceFileOptions = { languageVersion: ts.ScriptTarget.ESNext }

describe('the parses the syntax check shares with the type check', () => {
  it('parses each text once, and offers it to a program only where the program would parse it alike', () => {
    const parsed = new ParsedScripts()
    const first = parsed.parse('a.ts', MODULE, ts.ScriptKind.TS)
    expect(parsed.parse('b.ts', MODULE, ts.ScriptKind.TS)).toBe(first)
    expect(parsed.reusable(MODULE, ts.ScriptKind.TS, ESNEXT)).toBe(first)
    expect(parsed.reusable(MODULE, ts.ScriptKind.TS, ts.ScriptTarget.ES2022)).toBe(first)
    // Another kind, an old target, a module format read off a package.json, JSDoc skipped: parsed again.
    expect(parsed.reusable(MODULE, ts.ScriptKind.JS, ESNEXT)).toBeUndefined()
    expect(parsed.reusable(MODULE, ts.ScriptKind.TS, ts.ScriptTarget.ES5)).toBeUndefined()
    expect(parsed.reusable(MODULE, ts.ScriptKind.TS, { ...ESNEXT, impliedNodeFormat: ts.ModuleKind.ESNext })).toBeUndefined()
    expect(parsed.reusable(MODULE, ts.ScriptKind.TS, { ...ESNEXT, jsDocParsingMode: ts.JSDocParsingMode.ParseNone })).toBeUndefined()
    // A script without import or export: the program may make it a module (`moduleDetection: force`).
    parsed.parse('c.ts', SCRIPT, ts.ScriptKind.TS)
    expect(parsed.reusable(SCRIPT, ts.ScriptKind.TS, ESNEXT)).toBeUndefined()
  })

  it('gives the type check the syntax check’s parse of a changed file, with the same findings as a parse of its own', () => {
    const parsed = new ParsedScripts()
    expect(findSyntaxErrors([{ kind: 'create', path: 'server/api/total.ts', text: MODULE, meta: [] }], parsed)).toEqual([])
    const taken = parsed.reusable(MODULE, ts.ScriptKind.TS, ESNEXT)!
    const input: ProgramInput = {
      rootDir: '/app',
      options: { strict: true, noEmit: true, target: ts.ScriptTarget.ESNext, moduleDetection: ts.ModuleDetectionKind.Force, types: [] },
      rootNames: ['/app/server/api/total.ts'],
      texts: new Map([['/app/server/api/total.ts', MODULE], ['/app/server/api/helper.ts', 'export function helper(name: string): string {\n  return name\n}\n']]),
      resolutions: new Map([['/app/server/api/total.ts', new Map([['./helper', '/app/server/api/helper.ts']])]]),
      words: wordsOf([MODULE]),
    }
    const request = { input, files: ['/app/server/api/total.ts'], continues: false }
    const shared = new ProgramChecker().check({ ...request, parsed })
    const own = new ProgramChecker().check(request)
    expect(shared.get('/app/server/api/total.ts')!.map((d) => d.code)).toEqual([2322])
    expect(shared).toEqual(own)
    // The program took the shared parse (and renamed it to the file it loaded).
    expect(taken.fileName).toBe('/app/server/api/total.ts')
  })
})
