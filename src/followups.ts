import type { Node } from 'ts-morph'
import { FOLLOW_UP_CATALOGUE, type CaseSeverityKind, type FollowUpKind, type FollowUpSeverity, type SeverityArgument, type SeverityOf } from './followup-catalogue.js'

/**
 * Something a transform could not migrate (or deliberately dropped). The code is left untouched and
 * the follow-up is printed in the summary, the JSON report and as a CI annotation.
 */
export interface FollowUp {
  /** Stable id of the kind of problem (src/followup-catalogue.ts). */
  kind: FollowUpKind
  transform: string
  /** Repo-relative path. */
  file: string
  /** 1-based. */
  line: number
  /** 1-based. */
  column: number
  /** The source text in question (first line, trimmed to ~120 chars). */
  code: string
  /** Why the tool did not migrate it. */
  reason: string
  /** What to do by hand. */
  action: string
  /** The catalogue's severity of the kind (for a kind with several, the one its reporter chose). */
  severity: FollowUpSeverity
}

/** Where a follow-up points: a ts-morph node (in a .ts file or a .vue script block) or an explicit place. */
export type FollowUpTarget = Node | { file: string; line: number; column?: number; code?: string }

/**
 * What a reporter says: the kind, the specific reason and action; a severity only for the kinds
 * whose catalogue entry lists several (any other comes from the catalogue).
 */
export type FollowUpInput = {
  [K in FollowUpKind]: { kind: K; reason: string; action: string } & (K extends CaseSeverityKind ? { severity: SeverityOf<K> } : { severity?: never })
}[FollowUpKind]

/** The severity a follow-up gets: its kind's, or the case its reporter chose. */
export function severityOf(input: FollowUpInput): FollowUpSeverity {
  const severity: FollowUpSeverity | object = FOLLOW_UP_CATALOGUE[input.kind].severity
  return typeof severity === 'string' ? severity : input.severity!
}

/** The severity of a kind that has only one. */
export function fixedSeverity(kind: Exclude<FollowUpKind, CaseSeverityKind>): FollowUpSeverity {
  return FOLLOW_UP_CATALOGUE[kind].severity
}

/** A FollowUpInput from positional arguments, for reporters that take the kind as a type parameter. */
export function followUpInput<K extends FollowUpKind>(kind: K, reason: string, action: string, ...severity: SeverityArgument<K>): FollowUpInput {
  const chosen: FollowUpSeverity | undefined = severity[0]
  return (chosen === undefined ? { kind, reason, action } : { kind, reason, action, severity: chosen }) as FollowUpInput
}
