import { ts } from 'ts-morph'
import { LIB_DIR, readLib } from './lib-files.js'
import type { LibLoad } from './lib-trimming.js'
import type { ParsedScripts } from './parsed-scripts.js'
import { scriptKindOf } from './script-views.js'
import { isEnvironmentDiagnostic } from './type-diagnostics.js'

/** What one side's program is built from: the texts and resolutions read off the repo (see programInput). */
export interface ProgramInput {
  /** Absolute, `/`-separated; stripped from the messages. */
  rootDir: string
  options: ts.CompilerOptions
  rootNames: string[]
  /** Every file the program may load except the lib's, by absolute path. */
  texts: Map<string, string>
  /**
   * Containing file → specifier → the repo file it resolves to. A specifier not listed is a package
   * (an ambient module of `any`, declared by one of the texts) or a module that is not there.
   */
  resolutions: Map<string, Map<string, string>>
  /** Every identifier-like word of the repo texts it loads (see wordsOf). */
  words: Set<string>
}

export interface CheckRequest {
  input: ProgramInput
  /** The files (absolute, as in `rootNames`) whose diagnostics are asked for. */
  files: string[]
  /** The other side of the same check: the previous request's program and parsed files are reused. */
  continues: boolean
  /** The lib as this check loads it (see trimLib); without one, the lib the options name, whole. */
  lib?: LibLoad
  /** Parses of the plan's texts the program may take (see ParsedScripts.reusable). */
  parsed?: ParsedScripts
}

export interface FileDiagnostic {
  /** Code and message: what matches a diagnostic across the two sides. */
  key: string
  line: number
  column: number
  code: number
  message: string
}

/** File → the diagnostics that count there. */
export type CheckResult = Map<string, FileDiagnostic[]>

/**
 * Builds and checks programs, keeping what outlives one check: the lib's files stay parsed and bound
 * from one program to the next (a plan that withdraws events plans, and checks, again); the app's
 * files are shared only by the two sides of one check.
 */
export class ProgramChecker {
  private readonly libFiles = new Map<string, ts.SourceFile>()
  private appFiles = new Map<string, ts.SourceFile>()
  private last: ts.Program | undefined

  check(request: CheckRequest): CheckResult {
    if (!request.continues) {
      this.appFiles = new Map()
      this.last = undefined
    }
    const program = this.build(request, this.last)
    this.last = program
    return new Map(request.files.map((file) => [file, diagnosticsOf(program, file, request.input.rootDir)]))
  }

  private sourceFile(fileName: string, text: string, languageVersion: ts.ScriptTarget | ts.CreateSourceFileOptions, parsed: ParsedScripts | undefined): ts.SourceFile {
    const isLib = fileName.startsWith(`${LIB_DIR}/`)
    const files = isLib ? this.libFiles : this.appFiles
    const known = files.get(fileName)
    if (known?.text === text) return known
    const kind = isLib ? undefined : scriptKindOf(fileName)
    const file = (kind !== undefined ? parsed?.reusable(text, kind, languageVersion) : undefined) ?? ts.createSourceFile(fileName, text, languageVersion)
    files.set(fileName, file)
    return file
  }

  private build({ input, lib, parsed }: CheckRequest, oldProgram?: ts.Program): ts.Program {
    const libText = (fileName: string) => {
      if (!fileName.startsWith(`${LIB_DIR}/`)) return undefined
      const name = fileName.slice(LIB_DIR.length + 1)
      return lib?.texts.get(name) ?? readLib(name)
    }
    const fileText = (fileName: string) => input.texts.get(fileName) ?? libText(fileName)
    const host: ts.CompilerHost = {
      getSourceFile: (fileName, languageVersion) => {
        const text = fileText(fileName)
        return text === undefined ? undefined : this.sourceFile(fileName, text, languageVersion, parsed)
      },
      getDefaultLibFileName: (compilerOptions) => `${LIB_DIR}/${ts.getDefaultLibFileName(compilerOptions)}`,
      getDefaultLibLocation: () => LIB_DIR,
      writeFile: () => undefined,
      getCurrentDirectory: () => input.rootDir,
      getCanonicalFileName: (fileName) => fileName,
      useCaseSensitiveFileNames: () => true,
      getNewLine: () => '\n',
      fileExists: (fileName) => fileText(fileName) !== undefined,
      readFile: fileText,
      resolveModuleNames: (moduleNames, containingFile) =>
        moduleNames.map((name) => {
          const resolved = input.resolutions.get(containingFile)?.get(name)
          return resolved === undefined ? undefined : { resolvedFileName: resolved, extension: extensionOf(resolved), isExternalLibraryImport: false }
        }),
    }
    const options = lib ? { ...input.options, lib: lib.roots } : input.options
    return ts.createProgram({ rootNames: input.rootNames, options, host, oldProgram })
  }
}

function diagnosticsOf(program: ts.Program, fileName: string, rootDir: string): FileDiagnostic[] {
  const source = program.getSourceFile(fileName)
  if (!source) return []
  return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]
    .flatMap((diagnostic) => {
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n').split(rootDir + '/').join('')
      if (isEnvironmentDiagnostic(diagnostic, message, source)) return []
      const { line, character } = source.getLineAndCharacterOfPosition(diagnostic.start ?? 0)
      return [{ key: `${diagnostic.code}\0${message}`, line: line + 1, column: character + 1, code: diagnostic.code, message }]
    })
}

function extensionOf(fileName: string): ts.Extension {
  for (const extension of [ts.Extension.Dts, ts.Extension.Dmts, ts.Extension.Dcts, ts.Extension.Ts, ts.Extension.Tsx, ts.Extension.Mts, ts.Extension.Cts, ts.Extension.Js, ts.Extension.Jsx, ts.Extension.Mjs, ts.Extension.Cjs, ts.Extension.Json]) {
    if (fileName.endsWith(extension)) return extension
  }
  return ts.Extension.Ts
}
