// Owned by the client analysis (issue 6).
export interface ClientModel {
  /** Placeholder until the client analysis lands. */
  files: unknown[]
}
