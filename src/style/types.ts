export interface CodeStyle {
  quote: "'" | '"'
  semicolons: boolean
  /** One level of indentation, e.g. two spaces or a tab. */
  indent: string
}
