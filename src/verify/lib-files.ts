import { Project, ts } from 'ts-morph'

/** Where a program finds the lib: ts-morph's in-memory copy of its own TypeScript's. */
export const LIB_DIR = '/node_modules/typescript/lib'

/** The lib the check loads unless the repo names another (see type-options.ts). */
export const DEFAULT_LIB = 'lib.esnext.d.ts'

/** A lib file's name, as `/// <reference lib>` and the `lib` option lead to it. */
const LIB_FILE_NAME = /^lib\.[\w.-]+\.d\.ts$/

let libHost: ts.ModuleResolutionHost | undefined
const libTexts = new Map<string, string | undefined>()
/**
 * A lib file (`lib.es5.d.ts`) as ts-morph ships it (in memory: this package's TypeScript is
 * ts-morph's). Kept: ts-morph answers a missing file with an exception, whose stack trace costs
 * more than the read, and TypeScript asks for the lib folder's package.json for every file.
 */
export function readLib(name: string): string | undefined {
  if (libTexts.has(name)) return libTexts.get(name)
  libHost ??= new Project({ useInMemoryFileSystem: true }).getModuleResolutionHost()
  const text = LIB_FILE_NAME.test(name) ? libHost.readFile(`${LIB_DIR}/${name}`) : undefined
  libTexts.set(name, text)
  return text
}

/** The DOM and worker libs: 2 MB of declarations the check never loads (see type-options.ts). */
export function isBrowserLib(fileName: string): boolean {
  return /^lib\.(?:dom|webworker|scripthost)\b/i.test(fileName)
}
