import path from 'node:path'
import type { SourceFile } from 'ts-morph'
import type { TransformContext } from '../src/transform.js'

/** A comment line (`//`, `/*`, ` * `). */
const COMMENT_LINE = /^\s*(\/\/|\/\*|\*)/
/** Words that describe the Socket.IO way of emitting: the library, or the io server on Nitro. */
const DESCRIBES_SOCKET_IO = /socket\.?io|\bnitroApp\.io\b|useNitroApp\(\)\.io\b|\bio\.(?:emit|to|in)\b/i

/** Comment lines of a file as they are before its emits are rewritten, to report those the rewrite leaves standing. */
export function socketIoComments(file: SourceFile): { line: number; text: string }[] {
  return file
    .getFullText()
    .split('\n')
    .flatMap((text, index) => (COMMENT_LINE.test(text) && DESCRIBES_SOCKET_IO.test(text) ? [{ line: index + 1, text: text.trim() }] : []))
}

/** The comments that still describe Socket.IO once the file emits through the SSE runtime. */
export function reportStaleComments(ctx: TransformContext, file: string, comments: readonly { line: number; text: string }[], after: string): void {
  const remaining = new Set(after.split('\n').map((line) => line.trim()))
  for (const comment of comments) {
    if (!remaining.has(comment.text)) continue
    ctx.report(
      { file, line: comment.line, code: comment.text },
      {
        kind: 'emit/comment-mentions-socket-io',
        reason: 'this comment still describes Socket.IO, while the code below it now emits through the SSE runtime',
        action: 'reword the comment for the SSE helpers (server/utils/sse.ts)',
      },
    )
  }
}

/** A call that authenticates the request (`requireAuth(event)`, `getUserSession`, `verifyToken`) or a read of what a middleware stored. */
const AUTHENTICATES = /\b(?:require|ensure|assert|get|verify|check|authenticate)\w*(?:Auth|User|Session|Token)\w*\s*(?:<[^>]*>)?\(|\bauthenticate\w*\s*\(|\.context\.(?:user|auth|session)\b/

/**
 * An API route that emits while nothing in it, nor a server middleware, checks who calls it: any
 * anonymous request can push events to the users it names. Socket.IO had the same hole; the report
 * says so once per file, because the migrated route is where it is now fixed.
 */
export function reportUnauthenticatedEmits(ctx: TransformContext, file: string, text: string, firstEmitLine: number): void {
  const serverDir = ctx.repo.relative(ctx.repo.layout.serverDir)
  const isRoute = ['api', 'routes'].some((dir) => file.startsWith(path.posix.join(serverDir, dir) + '/'))
  if (!isRoute || AUTHENTICATES.test(text)) return
  // A server middleware may authenticate every request; what it checks is not visible from here.
  if (ctx.repo.glob(`${path.posix.join(serverDir, 'middleware')}/**/*.{ts,js,mts,mjs}`).length > 0) return
  ctx.report(
    { file, line: firstEmitLine, code: text.split('\n')[firstEmitLine - 1]?.trim() ?? '' },
    {
      kind: 'security/unauthenticated-emit',
      reason: 'this route emits events without checking who calls it: any anonymous request can push them to the users, rooms or everyone it names (the Socket.IO version had the same hole)',
      action: "authenticate the request first (the app's own auth util, e.g. `await requireAuth(event)`) and check the caller may notify those users",
    },
  )
}
