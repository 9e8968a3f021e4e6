import type { Node } from 'ts-morph'

/**
 * Something a transform could not migrate (or deliberately dropped). The code is left untouched and
 * the follow-up is printed in the summary, the JSON report and as a CI annotation.
 */
export interface FollowUp {
  /** Stable id of the kind of problem, e.g. `emit/unknown-receiver`, `auth/none`. */
  kind: string
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
  /**
   * `warning`: open work, makes --check fail; `security`: open work with a security impact;
   * `error`: what the tool wrote for this part would not have run, so it was withdrawn and the part
   * stays as it was (a defect of the tool, to report); `info`: done on purpose and only listed
   * (e.g. a dropped `ping` handler).
   */
  severity: 'warning' | 'security' | 'error' | 'info'
}

/** Where a follow-up points: a ts-morph node (in a .ts file or a .vue script block) or an explicit place. */
export type FollowUpTarget = Node | { file: string; line: number; column?: number; code?: string }

export interface FollowUpInput {
  kind: string
  reason: string
  action: string
  severity?: FollowUp['severity']
}
