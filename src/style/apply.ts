import { ts } from 'ts-morph'
import type { CodeStyle } from './types.js'

/** A string literal's value written with the given quote, escaping exactly what must be escaped. */
export function quoteString(value: string, quote: CodeStyle['quote']): string {
  let out = ''
  for (const char of value) {
    if (char === '\\') out += '\\\\'
    else if (char === quote) out += `\\${quote}`
    else if (char === '\n') out += '\\n'
    else if (char === '\r') out += '\\r'
    else if (char === '\u2028') out += '\\u2028'
    else if (char === '\u2029') out += '\\u2029'
    else out += char
  }
  return quote + out + quote
}

/**
 * Rewrites string literals to the preferred quote. A literal that would need more escapes in the
 * preferred quote keeps the other one (as Prettier does), so `"it's"` stays as it is.
 */
export function convertQuotes(code: string, quote: CodeStyle['quote']): string {
  const other = quote === "'" ? '"' : "'"
  const file = ts.createSourceFile('style.ts', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const edits: { start: number; end: number; text: string }[] = []
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node)) {
      const raw = node.getText(file)
      if (!raw.startsWith(quote)) {
        const value = node.text
        const count = (q: string): number => value.split(q).length - 1
        if (count(quote) <= count(other)) edits.push({ start: node.getStart(file), end: node.end, text: quoteString(value, quote) })
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(file)
  let out = code
  for (const edit of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end)
  return out
}

/** The one document the formatter sees: formatting parses only it, never builds a program. */
let formatted = { name: '/generated.ts', version: 0, text: '' }
const formatter = ts.createLanguageService({
  getScriptFileNames: () => [formatted.name],
  getScriptVersion: () => String(formatted.version),
  getScriptSnapshot: (name) => (name === formatted.name ? ts.ScriptSnapshot.fromString(formatted.text) : undefined),
  getCompilationSettings: () => ({}),
  getCurrentDirectory: () => '/',
  getDefaultLibFileName: () => '/lib.d.ts',
  fileExists: (name) => name === formatted.name,
  readFile: (name) => (name === formatted.name ? formatted.text : undefined),
})

/** Generated TypeScript in a code style: indentation and semicolons by the TS formatter, then quotes. */
export function applyStyle(code: string, style: CodeStyle): string {
  formatted = { ...formatted, version: formatted.version + 1, text: code }
  const tab = style.indent === '\t'
  const edits = formatter.getFormattingEditsForDocument(formatted.name, {
    indentSize: tab ? 4 : style.indent.length,
    tabSize: tab ? 4 : style.indent.length,
    convertTabsToSpaces: !tab,
    semicolons: style.semicolons ? ts.SemicolonPreference.Insert : ts.SemicolonPreference.Remove,
    insertSpaceAfterOpeningAndBeforeClosingNonemptyBraces: true,
    // the rest as ts-morph filled them in when it ran the formatter
    newLineCharacter: '\n',
    indentStyle: ts.IndentStyle.Smart,
    insertSpaceAfterCommaDelimiter: true,
    insertSpaceAfterConstructor: false,
    insertSpaceAfterSemicolonInForStatements: true,
    insertSpaceAfterKeywordsInControlFlowStatements: true,
    insertSpaceAfterOpeningAndBeforeClosingNonemptyBrackets: false,
    insertSpaceAfterOpeningAndBeforeClosingTemplateStringBraces: false,
    insertSpaceAfterOpeningAndBeforeClosingJsxExpressionBraces: false,
    insertSpaceBeforeFunctionParenthesis: false,
    insertSpaceBeforeAndAfterBinaryOperators: true,
    placeOpenBraceOnNewLineForFunctions: false,
    placeOpenBraceOnNewLineForControlBlocks: false,
  })
  let out = code
  for (const edit of [...edits].sort((a, b) => b.span.start - a.span.start)) {
    out = out.slice(0, edit.span.start) + edit.newText + out.slice(edit.span.start + edit.span.length)
  }
  return convertQuotes(out, style.quote)
}
