import { autoImportedNames as namesOf, isAutoImportPath } from '../../src/verify/known-names.js'

/** What counts as "uses Socket.IO" for the corpus, and what an app can auto-import. */

const PACKAGE = String.raw`(?:socket\.io(?:-client)?|@socket\.io\/[\w.-]+|engine\.io(?:-client)?)`

/** `import … from 'socket.io'`, `import 'socket.io-client'`, `require(…)`, `import(…)`, `export … from`. */
const IMPORTS_SOCKET_IO = new RegExp(String.raw`(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]${PACKAGE}(?:\/[^'"]*)?['"]`)

/** Calls on the usual names of a socket or a server: `socket.emit(`, `io.to(`, `$socket.on(`. */
const CALLS_SOCKET_API = /(?:\b(?:io|socket|sock|ws|server|client)|\$socket|\$io)\s*\??\.\s*(?:emit|on|off|once|to|in|join|leave|broadcast|except|use|adapter|disconnect|connect)\s*\(/

/** Calls only a Socket.IO socket or server has (the SSE handle has `on`, `off`, `once`, `connect`, `disconnect` and `removeAllListeners` too). */
const CALLS_SOCKET_ONLY_API = /(?:\b(?:io|socket|sock|ws|server|client)|\$socket|\$io)\s*\??\.\s*(?:emit|emitWithAck|to|in|join|leave|broadcast|except|volatile|timeout|adapter|io)\b/

/**
 * The text without whole-line `//` comments and `/* … *\/` blocks: commented-out socket code is not a
 * use. A `//` after code is left alone, since it may sit inside a string (`'http://…'`).
 */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^[ \t]*\/\/.*$/gm, '')
}

export function importsSocketIO(text: string): boolean {
  return IMPORTS_SOCKET_IO.test(withoutComments(text))
}

/** Imports a Socket.IO package, or calls the socket API on a name socket code uses (`io`, `socket`, `$socket`). */
export function usesSocketIO(text: string): boolean {
  const code = withoutComments(text)
  return importsSocketIO(code) || (CALLS_SOCKET_API.test(code) && /\b(?:emit|socket|io)\b/.test(code))
}

/**
 * The files that use Socket.IO, in an app that does: a plain WebSocket app (crossws, `ws`) calls
 * `client.emit(` too, but imports no Socket.IO package anywhere, so none of its files count.
 */
export function filesUsingSocketIO(files: ReadonlyMap<string, string>, isCode: (path: string) => boolean): string[] {
  const code = [...files].filter(([path]) => isCode(path))
  if (!code.some(([, text]) => importsSocketIO(text))) return []
  return code.filter(([, text]) => usesSocketIO(text)).map(([path]) => path)
}

/** Every name the app's own auto-import folders export: the same rule the tool's verify stage uses. */
export function autoImportedNames(files: ReadonlyMap<string, string>): Set<string> {
  const names = new Set<string>()
  for (const [path, text] of files) if (isAutoImportPath(path)) for (const name of namesOf(path, text)) names.add(name)
  return names
}

/** After the migration: still imports a Socket.IO package, or still calls what only Socket.IO has. */
export function stillUsesSocketIO(text: string): boolean {
  return importsSocketIO(text) || CALLS_SOCKET_ONLY_API.test(withoutComments(text))
}
