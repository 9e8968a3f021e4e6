/** What counts as "uses Socket.IO" for the corpus, and what an app can auto-import. */

const PACKAGE = String.raw`(?:socket\.io(?:-client)?|@socket\.io\/[\w.-]+|engine\.io(?:-client)?)`

/** `import … from 'socket.io'`, `import 'socket.io-client'`, `require(…)`, `import(…)`, `export … from`. */
const IMPORTS_SOCKET_IO = new RegExp(String.raw`(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]${PACKAGE}(?:\/[^'"]*)?['"]`)

/** Calls on the usual names of a socket or a server: `socket.emit(`, `io.to(`, `$socket.on(`. */
const CALLS_SOCKET_API = /(?:\b(?:io|socket|sock|ws|server|client)|\$socket|\$io)\s*\??\.\s*(?:emit|on|off|once|to|in|join|leave|broadcast|except|use|adapter|disconnect|connect)\s*\(/

/** Calls only a Socket.IO socket or server has (the SSE handle has `on`, `off`, `once`, `connect`, `disconnect` too). */
const CALLS_SOCKET_ONLY_API = /(?:\b(?:io|socket|sock|ws|server|client)|\$socket|\$io)\s*\??\.\s*(?:emit|emitWithAck|to|in|join|leave|broadcast|except|volatile|timeout|adapter|removeAllListeners|io)\b/

export function importsSocketIO(text: string): boolean {
  return IMPORTS_SOCKET_IO.test(text)
}

/** Imports a Socket.IO package, or calls the socket API on a name socket code uses (`io`, `socket`, `$socket`). */
export function usesSocketIO(text: string): boolean {
  return importsSocketIO(text) || (CALLS_SOCKET_API.test(text) && /\b(?:emit|socket|io)\b/.test(text))
}

/** The folders Nuxt and Nitro auto-import from, at the root (Nuxt 3) or under `app/` (Nuxt 4). */
const AUTO_IMPORT_DIR = /^(?:app\/|src\/)?(?:composables|utils|stores)\/|^(?:server\/utils|shared\/utils|shared\/types)\//

const EXPORTED = /\bexport\s+(?:declare\s+)?(?:default\s+)?(?:async\s+)?(?:function\s*\*?|const|let|var|class|enum|interface|type)\s+([A-Za-z_$][\w$]*)/g
const EXPORT_LIST = /\bexport\s*(?:type\s*)?\{([^}]*)\}/g

/** Every name the app's own auto-import folders export (and, for a default export, the file's camelCased name). */
export function autoImportedNames(files: ReadonlyMap<string, string>): Set<string> {
  const names = new Set<string>()
  for (const [path, text] of files) {
    if (!AUTO_IMPORT_DIR.test(path) || !/\.(?:[cm]?[jt]s)$/.test(path)) continue
    for (const match of text.matchAll(EXPORTED)) if (match[1]) names.add(match[1])
    for (const match of text.matchAll(EXPORT_LIST)) {
      for (const part of (match[1] ?? '').split(',')) {
        const name = part.trim().split(/\s+as\s+/).pop()?.trim()
        if (name) names.add(name)
      }
    }
    if (/\bexport\s+default\b/.test(text)) {
      const base = path.slice(path.lastIndexOf('/') + 1).replace(/\.[^.]+$/, '')
      names.add(base.replace(/[-_.](\w)/g, (_, c: string) => c.toUpperCase()))
    }
  }
  return names
}

/** After the migration: still imports a Socket.IO package, or still calls what only Socket.IO has. */
export function stillUsesSocketIO(text: string): boolean {
  return importsSocketIO(text) || CALLS_SOCKET_ONLY_API.test(text)
}
