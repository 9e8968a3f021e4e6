import type { Node } from 'ts-morph'
import { isWithin } from '../../src/analysis/handlers/scope.js'
import { SSE_HELPERS } from '../../src/analysis/server/emit-plan.js'
import { fileRange, isEditedNode } from '../../src/changeset/ranges.js'
import { helperImportSource, helperSpecifier } from '../server/io-imports.js'
import { lineIndentAt, moveCode } from '../shared/reindent.js'
import type { TransformContext } from '../../src/transform.js'
import type { Replacement, Replacements } from './render.js'

/**
 * The Socket.IO files as the transforms before this one left them: their staged edits (the emits
 * server-emits rewrote) are part of the code moved into routes and hooks, and what lies inside
 * them no longer exists as it was.
 */
export interface StagedCode {
  /** True when an earlier transform rewrote or removed the node's code. */
  isGone(node: Node): boolean
  /** A fresh replacement map holding every rewritten emit as its new code, for rendering moved code. */
  rewritten(): Replacements
  /** The SSE helpers the rewritten emits inside `root` call, with the specifier its file imports them from (none when auto-imported). */
  helperImports(root: Node): HelperImport[]
}

export interface HelperImport {
  name: string
  /** As written in the file of the rewritten code. */
  specifier: string
}

interface Rewrite {
  call: Node
  /** The new code up to the data argument (all of it when the emit has none). */
  head(): string
  render: Replacement
}

const byContext = new WeakMap<TransformContext, StagedCode>()

/** The staged code as this transform found it (one view per run of a transform). */
export function stagedCode(ctx: TransformContext): StagedCode {
  const known = byContext.get(ctx)
  if (known) return known
  const isGone = (node: Node) => isEditedNode(ctx.repo, ctx.changes, node)
  const composed = (node: Node, start = node.getStart(), end = node.getEnd()) => {
    const range = fileRange(ctx.repo, node, start, end)
    return ctx.changes.slice(range.path, range.start, range.end)
  }
  // A rewritten emit keeps its data argument in place (see server-emits): it is rendered with the replacements inside it.
  const rewrites = ctx.model.server.emits.flatMap((site): Rewrite[] => {
    const data = site.data[0]
    const call = site.call
    const range = fileRange(ctx.repo, call)
    if (data && ctx.changes.isEdited(range.path, range.start, range.start + data.getStart() - call.getStart())) {
      const head = () => composed(call, call.getStart(), data.getStart())
      const source = call.getSourceFile().getFullText()
      // The argument now starts on the call's line, as server-emits re-indented it in place.
      const moved = (text: string) => moveCode(text, { line: lineIndentAt(source, data.getStart()) }, { line: lineIndentAt(source, call.getStart()) })
      return [{ call, head, render: (render) => head() + moved(render(data)) + composed(call, data.getEnd(), call.getEnd()) }]
    }
    if (!isGone(call)) return []
    return [{ call, head: () => composed(call), render: () => composed(call) }]
  })
  const staged: StagedCode = {
    isGone,
    rewritten: () => new Map(rewrites.map((rewrite) => [rewrite.call, rewrite.render])),
    helperImports(root) {
      const inside = rewrites.filter((rewrite) => rewrite.call.getSourceFile() === root.getSourceFile() && isWithin(rewrite.call, root))
      const source = inside.length > 0 ? helperImportSource(ctx.repo, ctx.model.server, root.getSourceFile()) : undefined
      if (!source) return []
      const code = inside.map((rewrite) => rewrite.head()).join('\n')
      return SSE_HELPERS.filter((name) => new RegExp(`\\b${name}\\(`).test(code)).map((name) => ({ name, specifier: helperSpecifier(source) }))
    },
  }
  byContext.set(ctx, staged)
  return staged
}
