import { ts } from 'ts-morph'

/**
 * The changed scripts as the syntax check parsed them, for the type check's program to take instead
 * of parsing each again. Held for one plan: the type check binds what it takes.
 */
export class ParsedScripts {
  private readonly byText = new Map<string, ts.SourceFile>()

  parse(fileName: string, text: string, kind: ts.ScriptKind): ts.SourceFile {
    const key = parseKey(text, kind)
    const known = this.byText.get(key)
    if (known) return known
    const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, kind)
    this.byText.set(key, file)
    return file
  }

  /**
   * The parse of `text` when it is the one a program would make with `options`: the program renames
   * it, and from ES2015 on the target does not change how a script parses. A script the parser did
   * not take for a module is left to the program, which may make it one (`moduleDetection: force`),
   * as is one whose module format depends on a package.json.
   */
  reusable(text: string, kind: ts.ScriptKind, options: ts.ScriptTarget | ts.CreateSourceFileOptions): ts.SourceFile | undefined {
    const { languageVersion, impliedNodeFormat, jsDocParsingMode } = typeof options === 'object' ? options : { languageVersion: options, impliedNodeFormat: undefined, jsDocParsingMode: undefined }
    if (languageVersion < ts.ScriptTarget.ES2015 || impliedNodeFormat !== undefined || (jsDocParsingMode ?? ts.JSDocParsingMode.ParseAll) !== ts.JSDocParsingMode.ParseAll) return undefined
    const file = this.byText.get(parseKey(text, kind))
    return file && ts.isExternalModule(file) ? file : undefined
  }
}

function parseKey(text: string, kind: ts.ScriptKind): string {
  return `${kind}\0${text}`
}
