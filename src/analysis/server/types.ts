// Owned by the server analysis (issue 3). Expand freely; keep it the single description of the io server side.
export interface ServerModel {
  /** Placeholder until the server analysis lands. */
  sites: unknown[]
}
