import type { ImportDeclaration, SourceFile } from 'ts-morph'

export const CLIENT_PACKAGE = 'socket.io-client'

/** Type names of socket.io-client that stand for a connected socket or its options. */
const SOCKET_TYPE_NAMES = new Set(['Socket'])

/** The local names a script block gives to socket.io-client's exports. */
export interface ClientBindings {
  declarations: ImportDeclaration[]
  /** Local names of the socket factory: `io`, `connect`, the default import. */
  factories: Set<string>
  /** Namespace imports (`import * as SocketIO`): `SocketIO.io(...)`, `SocketIO.Socket`. */
  namespaces: Set<string>
  /** Local names of the `Socket` type. */
  socketTypes: Set<string>
  /** Other imported names (`Manager`, `ManagerOptions` ...): left as is and reported when used. */
  others: Set<string>
}

export function clientBindings(sourceFile: SourceFile): ClientBindings {
  const bindings: ClientBindings = {
    declarations: [],
    factories: new Set(),
    namespaces: new Set(),
    socketTypes: new Set(),
    others: new Set(),
  }
  for (const decl of sourceFile.getImportDeclarations()) {
    if (decl.getModuleSpecifierValue() !== CLIENT_PACKAGE) continue
    bindings.declarations.push(decl)
    const defaultImport = decl.getDefaultImport()
    if (defaultImport) bindings.factories.add(defaultImport.getText())
    const namespace = decl.getNamespaceImport()
    if (namespace) bindings.namespaces.add(namespace.getText())
    for (const named of decl.getNamedImports()) {
      const imported = named.getName()
      const local = named.getAliasNode()?.getText() ?? imported
      if (imported === 'io' || imported === 'connect' || imported === 'default') bindings.factories.add(local)
      else if (SOCKET_TYPE_NAMES.has(imported)) bindings.socketTypes.add(local)
      else bindings.others.add(local)
    }
  }
  return bindings
}

export function isSocketTypeName(bindings: ClientBindings, text: string): boolean {
  if (bindings.socketTypes.has(text)) return true
  const [ns, name] = text.split('.')
  return name !== undefined && bindings.namespaces.has(ns ?? '') && SOCKET_TYPE_NAMES.has(name)
}
