/**
 * Names a file uses that nothing declares or imports, as TypeScript's checker finds them in a
 * program of just those files (imports are not resolved: an imported binding counts as declared,
 * whatever its module holds). Nuxt apps lean on auto-imports, so the caller subtracts what the app
 * can auto-import and what the same file already used undeclared before the migration.
 */
import ts from 'typescript'
import { scriptView } from './scripts.js'

// "Cannot find name 'x'", "… Did you mean 'y'?", "… Did you mean the instance member 'this.x'?"
const CANNOT_FIND = new Set([2304, 2552, 2663])

const OPTIONS: ts.CompilerOptions = {
  noEmit: true,
  allowJs: true,
  checkJs: true,
  noResolve: true,
  types: [],
  lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleDetection: ts.ModuleDetectionKind.Force,
  jsx: ts.JsxEmit.Preserve,
  skipLibCheck: true,
  skipDefaultLibCheck: true,
}

/** path → the undeclared names it uses. */
export function undeclaredNames(files: ReadonlyMap<string, string>): Map<string, Set<string>> {
  const views = new Map<string, { path: string; text: string; kind: ts.ScriptKind }>()
  for (const [path, text] of files) {
    const view = scriptView(path, text)
    views.set(`/corpus/${view.name}`, { path, text: view.text, kind: view.kind })
  }
  const host = ts.createCompilerHost(OPTIONS)
  const libFile = host.getSourceFile.bind(host)
  host.getSourceFile = (name, language) => {
    const view = views.get(name)
    return view ? ts.createSourceFile(name, view.text, language, true, view.kind) : libFile(name, language)
  }
  host.fileExists = (name) => views.has(name) || ts.sys.fileExists(name)
  const program = ts.createProgram([...views.keys()], OPTIONS, host)
  const found = new Map<string, Set<string>>()
  for (const [name, view] of views) {
    const source = program.getSourceFile(name)
    if (!source) continue
    const names = new Set<string>()
    for (const diagnostic of program.getSemanticDiagnostics(source)) {
      if (!CANNOT_FIND.has(diagnostic.code)) continue
      const match = /'([^']+)'/.exec(ts.flattenDiagnosticMessageText(diagnostic.messageText, ' '))
      if (match?.[1]) names.add(match[1])
    }
    found.set(view.path, names)
  }
  return found
}
