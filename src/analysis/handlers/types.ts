// Owned by the handlers/auth analysis (issue 4).
export interface HandlerModel {
  /** Placeholder until the handler analysis lands. */
  handlers: unknown[]
}
