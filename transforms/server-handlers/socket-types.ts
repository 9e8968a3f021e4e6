import { Node, SyntaxKind } from 'ts-morph'
import { referencedDeclaration } from '../../src/analysis/handlers/scope.js'
import type { Blocker } from '../../src/analysis/handlers/types.js'
import type { Replacements } from './render.js'

const SOCKET_IO_MODULE = /^(?:socket\.io(?:-client)?|@socket\.io\/[\w.-]+|engine\.io)(?:\/|$)/

/** Socket.IO types with a plain stand-in once the code runs in an HTTP route or hook. */
const STAND_INS: Record<string, string> = { ExtendedError: 'Error' }

/**
 * Type references in transplanted code to types imported from a Socket.IO package: generated files
 * must not import Socket.IO (its packages go), so each becomes its stand-in, or blocks the move.
 */
export function replaceSocketIoTypes(fn: Node, replacements: Replacements, blockers: Blocker[]): void {
  // The function's own parameters (`socket: Socket`) are not carried over, only what runs inside.
  const body = Node.hasBody(fn) ? fn.getBody() : fn
  if (!body) return
  for (const reference of body.getDescendantsOfKind(SyntaxKind.TypeReference)) {
    const name = reference.getTypeName()
    if (!Node.isIdentifier(name)) continue
    const declaration = referencedDeclaration(name)
    const importDeclaration = declaration?.getFirstAncestorByKind(SyntaxKind.ImportDeclaration)
    if (!importDeclaration || !SOCKET_IO_MODULE.test(importDeclaration.getModuleSpecifierValue())) continue
    const standIn = Node.isImportSpecifier(declaration) && reference.getTypeArguments().length === 0 ? STAND_INS[declaration.getName()] : undefined
    if (standIn) replacements.set(reference, () => standIn)
    else blockers.push({ node: reference, reason: `uses the Socket.IO type \`${reference.getText()}\`, which has no counterpart over HTTP` })
  }
}
