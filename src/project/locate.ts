import { Node } from 'ts-morph'
import { severityOf, type FollowUp, type FollowUpInput, type FollowUpTarget } from '../followups.js'
import { MigrationError } from '../errors.js'
import type { Repo, SourceUnit } from './types.js'

function codeExcerpt(text: string): string {
  const line = text.split('\n')[0]?.trim() ?? ''
  return line.length > 120 ? `${line.slice(0, 117)}...` : line
}

/** 1-based line and column of an offset in a text. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset)
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') }
}

/** A follow-up at a node or an explicit place; lines inside .vue script blocks are mapped to the file. */
export function locateFollowUp(repo: Pick<Repo, 'unitOf'>, transform: string, target: FollowUpTarget, input: FollowUpInput): FollowUp {
  const base = { kind: input.kind, transform, reason: input.reason, action: input.action, severity: severityOf(input) }
  if (!Node.isNode(target)) {
    return { ...base, file: target.file, line: target.line, column: target.column ?? 1, code: codeExcerpt(target.code ?? '') }
  }
  const place = nodeLocation(repo, target)
  if (!place) throw new MigrationError(`${transform}: follow-up on a node outside the repo (${target.getSourceFile().getFilePath()})`)
  return { ...base, ...place, code: codeExcerpt(target.getText()) }
}

/** Repo-relative file and 1-based line and column of a node; lines inside .vue script blocks are mapped to the file. */
export function nodeLocation(repo: Pick<Repo, 'unitOf'>, node: Node): { file: string; line: number; column: number } | undefined {
  const sourceFile = node.getSourceFile()
  const unit: SourceUnit | undefined = repo.unitOf(sourceFile)
  if (!unit) return undefined
  const block = unit.scripts.find((b) => b.sourceFile === sourceFile)
  const inBlock = lineColumn(sourceFile.getFullText(), node.getStart())
  let line = inBlock.line
  let column = inBlock.column
  if (unit.kind === 'vue' && block) {
    const blockStart = lineColumn(unit.originalText, block.start)
    line = blockStart.line + inBlock.line - 1
    if (inBlock.line === 1) column = blockStart.column + inBlock.column - 1
  }
  return { file: unit.path, line, column }
}
