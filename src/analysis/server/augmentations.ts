import { Node, SyntaxKind, type SourceFile } from 'ts-morph'
import type { IoResolver } from './io-resolver.js'
import type { IoAugmentation } from './types.js'
import { descendantsOfKind } from '../../ast/walk.js'

/** Modules whose interfaces apps augment with an `io` property (NitroApp, H3EventContext). */
const HOST_MODULES = new Set(['nitropack', 'nitropack/types', 'nitropack/runtime', 'nitro/types', 'h3', '#app', 'nuxt/app'])

/**
 * Type augmentations that exist only for the io server: `declare module 'nitropack' { interface NitroApp { io?: Server } }`,
 * `declare global { var io: Server }`, and every `declare module 'socket.io'` block.
 */
export function findAugmentations(resolver: IoResolver, file: SourceFile, path: string): IoAugmentation[] {
  const result: IoAugmentation[] = []
  for (const block of descendantsOfKind(file, SyntaxKind.ModuleDeclaration)) {
    const name = block.getName().replace(/^['"]|['"]$/g, '')
    if (name === 'socket.io') {
      result.push({ file: path, module: name, node: block, members: block.getStatements() })
      continue
    }
    if (name !== 'global' && !HOST_MODULES.has(name)) continue
    const members: Node[] = []
    for (const statement of block.getStatements()) {
      if (Node.isInterfaceDeclaration(statement)) {
        members.push(...statement.getProperties().filter((property) => resolver.isServerType(property.getTypeNode())))
      } else if (Node.isVariableStatement(statement)) {
        members.push(...statement.getDeclarations().filter((declaration) => resolver.isServerType(declaration.getTypeNode())))
      }
    }
    if (members.length > 0) result.push({ file: path, module: name, node: block, members })
  }
  return result
}
