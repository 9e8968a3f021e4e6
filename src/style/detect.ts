import { ts } from 'ts-morph'
import { findSfcScripts } from '../project/vue.js'
import type { CodeStyle } from './types.js'

/** This repo's own style, used when nothing else is known. */
export const fallbackStyle: CodeStyle = { quote: "'", semicolons: false, indent: '  ' }

/** Counts of the style signals found in one file; summed over files for a repo's dominant style. */
export interface StyleVotes {
  single: number
  double: number
  withSemicolon: number
  withoutSemicolon: number
  tabs: number
  /** indent width (spaces) → how many lines step in by it */
  widths: Map<number, number>
}

export function emptyVotes(): StyleVotes {
  return { single: 0, double: 0, withSemicolon: 0, withoutSemicolon: 0, tabs: 0, widths: new Map() }
}

/** Votes per code text: the repo's style, each file's and each Vue block's are asked about the same texts. */
const votesByCode = new Map<string, StyleVotes>()
const VOTE_CACHE_LIMIT = 2000

/** Adds the style signals of `code` to `votes`. */
export function collectVotes(code: string, votes: StyleVotes = emptyVotes()): StyleVotes {
  let counted = votesByCode.get(code)
  if (!counted) {
    counted = countVotes(code)
    if (votesByCode.size >= VOTE_CACHE_LIMIT) votesByCode.clear()
    votesByCode.set(code, counted)
  }
  votes.single += counted.single
  votes.double += counted.double
  votes.withSemicolon += counted.withSemicolon
  votes.withoutSemicolon += counted.withoutSemicolon
  votes.tabs += counted.tabs
  for (const [width, lines] of counted.widths) votes.widths.set(width, (votes.widths.get(width) ?? 0) + lines)
  return votes
}

/** Scans code with the TypeScript scanner so strings and comments never count as code. */
function countVotes(code: string): StyleVotes {
  const votes = emptyVotes()
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, code)
  let previous = ts.SyntaxKind.Unknown
  let token = scanner.scan()
  let lineHasCode = false
  while (token !== ts.SyntaxKind.EndOfFileToken) {
    if (token === ts.SyntaxKind.StringLiteral) {
      if (scanner.getTokenText().startsWith("'")) votes.single++
      else votes.double++
    }
    if (token === ts.SyntaxKind.NewLineTrivia) {
      // A line that ends a statement-like token votes for or against semicolons.
      if (lineHasCode) {
        if (previous === ts.SyntaxKind.SemicolonToken) votes.withSemicolon++
        else if (endsStatement(previous)) votes.withoutSemicolon++
      }
      lineHasCode = false
    } else if (token !== ts.SyntaxKind.WhitespaceTrivia && !isComment(token)) {
      lineHasCode = true
      previous = token
    }
    token = scanner.scan()
  }
  let previousIndent = 0
  for (const line of code.split('\n')) {
    if (!line.trim() || /^\s*(\*|\/\/)/.test(line)) continue
    const lead = /^[ \t]*/.exec(line)?.[0] ?? ''
    if (lead.startsWith('\t')) votes.tabs++
    const width = lead.length
    if (!lead.includes('\t') && width > previousIndent) {
      const step = width - previousIndent
      votes.widths.set(step, (votes.widths.get(step) ?? 0) + 1)
    }
    previousIndent = width
  }
  return votes
}

function isComment(token: ts.SyntaxKind): boolean {
  return token === ts.SyntaxKind.SingleLineCommentTrivia || token === ts.SyntaxKind.MultiLineCommentTrivia
}

function endsStatement(token: ts.SyntaxKind): boolean {
  return (
    token === ts.SyntaxKind.Identifier ||
    token === ts.SyntaxKind.StringLiteral ||
    token === ts.SyntaxKind.NumericLiteral ||
    token === ts.SyntaxKind.CloseParenToken ||
    token === ts.SyntaxKind.CloseBracketToken ||
    token === ts.SyntaxKind.NoSubstitutionTemplateLiteral ||
    token === ts.SyntaxKind.TemplateTail ||
    token === ts.SyntaxKind.TrueKeyword ||
    token === ts.SyntaxKind.FalseKeyword ||
    token === ts.SyntaxKind.NullKeyword ||
    token === ts.SyntaxKind.UndefinedKeyword ||
    token === ts.SyntaxKind.ThisKeyword
  )
}

/** The style the votes point to; ties keep the fallback. */
export function styleFromVotes(votes: StyleVotes, fallback: CodeStyle = fallbackStyle): CodeStyle {
  const quote = votes.single === votes.double ? fallback.quote : votes.single > votes.double ? "'" : '"'
  const semicolons =
    votes.withSemicolon === votes.withoutSemicolon ? fallback.semicolons : votes.withSemicolon > votes.withoutSemicolon
  let indent = fallback.indent
  const spaceLines = [...votes.widths.values()].reduce((a, b) => a + b, 0)
  if (votes.tabs > spaceLines && votes.tabs > 0) indent = '\t'
  else if (spaceLines > 0) {
    const [width] = [...votes.widths.entries()].filter(([w]) => w === 2 || w === 4).sort((a, b) => b[1] - a[1])[0] ?? []
    if (width) indent = ' '.repeat(width)
  }
  return { quote, semicolons, indent }
}

/** The quotes, semicolons and indent a piece of code uses. */
export function detectStyle(code: string, fallback: CodeStyle = fallbackStyle): CodeStyle {
  return styleFromVotes(collectVotes(code), fallback)
}

/**
 * The style of one file's code. In a `.vue` file only the `<script>` blocks count: the template's
 * attribute quotes (`class="x"`) say nothing about how the code is written.
 */
export function detectFileStyle(path: string, text: string, fallback: CodeStyle = fallbackStyle): CodeStyle {
  if (!path.endsWith('.vue')) return detectStyle(text, fallback)
  const votes = emptyVotes()
  for (const script of findSfcScripts(text, path).scripts) collectVotes(script.content, votes)
  return styleFromVotes(votes, fallback)
}
