import { Node } from 'ts-morph'
import type { ScriptEditor } from './editor.js'
import { isRuntimeConfig } from '../../src/analysis/client/rest-base.js'

/** Where the runtime's stream and ticket routes live, below the app's `/api`. */
const STREAM_PATH = '/chat'

/**
 * The app's REST base (`config.public.apiBase`) as an expression at a place in the script: through
 * the runtime config the script already holds there, else `useRuntimeConfig()`. `portable`: the text
 * is written into other files, so it cannot lean on this one's variables.
 */
function restBaseAt(ed: ScriptEditor, site: Node, portable: boolean): string | undefined {
  const base = ed.ctx.model.client.restBase
  if (!base) return undefined
  const holder = portable ? undefined : runtimeConfigInScope(site)
  return `${holder ?? 'useRuntimeConfig()'}.public.${base.key}`
}

/** The innermost `const config = useRuntimeConfig()` declared before the site in a scope around it. */
function runtimeConfigInScope(site: Node): string | undefined {
  for (const scope of site.getAncestors()) {
    if (!Node.isBlock(scope) && !Node.isSourceFile(scope)) continue
    for (const statement of scope.getStatements()) {
      if (statement.getStart() >= site.getStart()) break
      if (!Node.isVariableStatement(statement)) continue
      for (const decl of statement.getDeclarations()) {
        const init = decl.getInitializer()
        if (Node.isIdentifier(decl.getNameNode()) && init && Node.isCallExpression(init) && isRuntimeConfig(init)) return decl.getName()
      }
    }
  }
  return undefined
}

/**
 * A route URL as code, built the way the app builds its REST URLs: `'/api/chat/join-room'` becomes
 * `` `${config.public.apiBase}/chat/join-room` `` when the app's calls start from that base; the
 * route's path parameters stay as they were filled in. `url` is the path, or a template literal.
 */
export function restUrl(ed: ScriptEditor, site: Node, url: string): string {
  const isTemplate = url.startsWith('`')
  const path = isTemplate ? url.slice(1, -1) : url
  const base = path.startsWith('/api/') ? restBaseAt(ed, site, false) : undefined
  if (!base) return isTemplate ? url : ed.quote(url)
  return `\`\${${base}}${path.slice('/api'.length)}\``
}

/** The stream's `baseURL` option when the app's REST calls start from a runtime-config base; undefined for the default. */
export function streamBaseURL(ed: ScriptEditor, site: Node, portable: boolean): string | undefined {
  const base = restBaseAt(ed, site, portable)
  return base ? `\`\${${base}}${STREAM_PATH}\`` : undefined
}
