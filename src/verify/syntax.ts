import { ts } from 'ts-morph'
import type { FileChange } from '../changeset/types.js'
import { findSfcScripts } from '../project/vue.js'
import { ParsedScripts } from './parsed-scripts.js'
import { lineAndColumn, scriptKindOf } from './script-views.js'

/** A file the plan would leave unparseable, where the first error sits and who edited it. */
export interface SyntaxFinding {
  path: string
  line: number
  column: number
  message: string
  transforms: string[]
}

interface ParseError {
  offset: number
  message: string
}

function scriptErrors(path: string, text: string, kind: ts.ScriptKind, parsed: ParsedScripts): ParseError[] {
  // parseDiagnostics is internal to TypeScript but is exactly "what the parser rejected", without a program.
  const file = parsed.parse(path, text, kind) as ts.SourceFile & { parseDiagnostics?: readonly ts.Diagnostic[] }
  return (file.parseDiagnostics ?? []).map((diagnostic) => ({
    offset: diagnostic.start ?? 0,
    message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
  }))
}

function jsonErrors(text: string): ParseError[] {
  try {
    JSON.parse(text)
    return []
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    const position = /position (\d+)/.exec(message)
    return [{ offset: position ? Number(position[1]) : 0, message }]
  }
}

function vueErrors(path: string, text: string, parsed: ParsedScripts): ParseError[] {
  const { scripts, errors } = findSfcScripts(text, path)
  const found: ParseError[] = errors.map((error) => ({ offset: error.offset ?? 0, message: error.message }))
  for (const script of scripts) {
    const kind = script.lang === 'ts' ? ts.ScriptKind.TS : ts.ScriptKind.JS
    for (const error of scriptErrors(path, script.content, kind, parsed)) found.push({ offset: script.start + error.offset, message: error.message })
  }
  return found
}

/** The parse errors of a file text, by its kind; empty for kinds this stage does not parse. */
export function parseErrors(path: string, text: string, parsed = new ParsedScripts()): ParseError[] {
  if (path.endsWith('.vue')) return vueErrors(path, text, parsed)
  if (path.endsWith('.json')) return jsonErrors(text)
  const kind = scriptKindOf(path)
  return kind === undefined ? [] : scriptErrors(path, text, kind, parsed)
}

/**
 * Every created or changed file that does not parse while its original did (a file that was already
 * broken is the user's, not ours). Deleted files are not checked.
 */
export function findSyntaxErrors(changes: readonly FileChange[], parsed = new ParsedScripts()): SyntaxFinding[] {
  const findings: SyntaxFinding[] = []
  for (const change of changes) {
    if (change.kind === 'delete') continue
    const [first] = parseErrors(change.path, change.text, parsed)
    if (!first) continue
    if (change.kind === 'update' && parseErrors(change.path, change.before).length > 0) continue
    findings.push({
      path: change.path,
      ...lineAndColumn(change.text, first.offset),
      message: first.message,
      transforms: [...new Set(change.meta.map((meta) => meta.transform))],
    })
  }
  return findings
}

/** The message of a run stopped by its own unparseable output. */
export function describeSyntaxFindings(findings: readonly SyntaxFinding[]): string {
  const lines = findings.map(
    (finding) =>
      `  ${finding.path}:${finding.line}:${finding.column}: ${finding.message} (edited by ${finding.transforms.join(', ') || 'unknown transform'})`,
  )
  return [
    `verify: the migration would leave ${findings.length === 1 ? 'a file' : `${findings.length} files`} that no longer parse:`,
    ...lines,
    'This is a bug of tutor-sse-migrate, not of your code: please report it with the lines above.',
  ].join('\n')
}
