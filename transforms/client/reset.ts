import { Node, SyntaxKind } from 'ts-morph'
import { listenerGroups, loadersOf, type ListenerGroup, type Loader } from '../../src/analysis/client/reloads.js'
import { localDeclarations } from '../../src/ast/scope.js'
import { descendantsOfKind, identifierNames, identifiers } from '../../src/ast/walk.js'
import type { ScriptEditor } from './editor.js'
import { indentOf } from '../shared/reindent.js'
import { freeName } from '../../src/text/free-name.js'

/** Longest line a reload loop is kept on; longer ones get braces. */
const MAX_LINE = 100

/**
 * When the stream cannot replay what a client missed (`reset`), the page must reload what the
 * stream keeps up to date. That state is what the app's listeners change; the code that loads it
 * is the app's own: each function that fetches and then replaces that state (`rooms.value = …`,
 * `messages.value.set(roomId, …)` once per key the Map holds; `openRoom(roomId)` again for the room
 * `activeRoom.value` holds, when it stored there what it fetched by that id). Functions the app already runs when
 * the socket (re)connects are left out: they run after every open, and a reset comes right after
 * one. The reload goes after the listeners as `onReset(…)`; with nothing to call it is reported.
 */
export function wireReset(ed: ScriptEditor): void {
  const sf = ed.script.block.sourceFile
  // Wired already: by an earlier run, or by the app.
  if (sf.getFullText().includes('.onReset(')) return
  for (const group of listenerGroups(ed.script.members)) {
    if (group.state.size === 0) continue
    const loaders = loadersOf(sf, group.state, ed.script.members)
    const callable = loaders.filter((loader) => !loader.runsOnOpen && !loader.needsArguments && visibleAt(loader, group.last))
    const stranded = loaders.filter((loader) => !loader.runsOnOpen && !callable.includes(loader))
    if (callable.length > 0) writeReset(ed, group, callable)
    if (stranded.length > 0 || (callable.length === 0 && !loaders.some((loader) => loader.runsOnOpen))) reportStale(ed, group, stranded)
  }
}

function writeReset(ed: ScriptEditor, group: ListenerGroup, loaders: Loader[]): void {
  const semi = ed.style.semicolons ? ';' : ''
  const unit = ed.style.indent
  const indent = indentOf(group.last)
  const inner = indent + unit
  const statements = loaders.map((loader) => reloadStatement(ed, loader, group.last, inner))
  const access = group.listeners[0]!.access
  const receiver = `${access.getExpression().getText()}${access.hasQuestionDotToken() ? '?.' : '.'}onReset`
  const single = statements.length === 1 && !/^(for|if) /.test(statements[0]!)
  const code = single ? `${receiver}(() => ${statements[0]})` : `${receiver}(() => {\n${statements.map((s) => `${inner}${s}${s.endsWith('}') ? '' : semi}`).join('\n')}\n${indent}})`
  ed.insert(group.last.getEnd(), `\n${spacedApart(group) ? '\n' : ''}${indent}${code}${semi}`)
  const what = loaders.map(reloadDescription).join(', ')
  ed.report(
    group.listeners[0]!.call!,
    'client/reset-wired',
    `when the stream cannot replay the events missed while it was away (a reset), these listeners' state is reloaded: ${what}`,
    'nothing to do; check that this reloads everything the page shows from the stream',
  )
}

function reloadDescription(loader: Loader): string {
  if (loader.keyedBy) return `${loader.callee}() for every key of ${loader.keyedBy.map}`
  if (loader.entity) return `${loader.callee}(${loader.entity.holder}.${loader.entity.property}) while ${loader.entity.holder} holds one`
  return `${loader.callee}()`
}

/**
 * `loadMessages()`, `for (const roomId of messages.value.keys()) loadMessages(roomId)`,
 * `if (activeRoom.value) openRoom(activeRoom.value.id)`, with the failure handled.
 */
function reloadStatement(ed: ScriptEditor, loader: Loader, site: Node, indent: string): string {
  const handled = failureHandling(loader, site)
  let head: string
  let call: string
  if (loader.keyedBy) {
    const { map, param } = loader.keyedBy
    head = `for (const ${param} of ${map}.keys())`
    call = `${loader.callee}(${param})${handled}`
  } else if (loader.entity) {
    const { holder, property } = loader.entity
    head = `if (${holder})`
    call = `${loader.callee}(${holder}.${property})${handled}`
  } else {
    return `${loader.callee}()${handled}`
  }
  if (indent.length + head.length + call.length + 1 <= MAX_LINE) return `${head} ${call}`
  const semi = ed.style.semicolons ? ';' : ''
  return `${head} {\n${indent}${ed.style.indent}${call}${semi}\n${indent}}`
}

/**
 * Nothing for a loader that catches its own failures; else the `.catch(…)` the app already calls it
 * with, when that reads only names in scope here; else the failure is logged, under `error` or, when
 * the page has an `error` of its own, the name the file's other `.catch` handlers use.
 */
function failureHandling(loader: Loader, site: Node): string {
  if (loader.quiet) return ''
  const sf = site.getSourceFile()
  for (const call of descendantsOfKind(sf, SyntaxKind.CallExpression)) {
    const callee = call.getExpression()
    if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== 'catch') continue
    const loaded = callee.getExpression()
    // An entity loader's argument is the page's choice; how its failure is handled does not depend on it.
    if (!Node.isCallExpression(loaded) || loaded.getExpression().getText() !== loader.callee || (loaded.getArguments().length > 0 && !loader.entity) || loader.keyedBy) continue
    const handler = call.getArguments()[0]
    if (handler && readsOnlyVisible(handler, site)) return `.catch(${handler.getText()})`
  }
  const name = ['error', ...catchParameterNames(sf)].find((candidate) => !declaredAround(site, candidate)) ?? freeName('error', (name) => declaredAround(site, name))
  return `.catch((${name}) => console.error(${name}))`
}

/** What the file's own `.catch(…)` handlers call their failure (`err` of `.catch((err: any) => …)`), most used first. */
function catchParameterNames(sf: Node): string[] {
  const counts = new Map<string, number>()
  for (const call of descendantsOfKind(sf, SyntaxKind.CallExpression)) {
    const callee = call.getExpression()
    const handler = call.getArguments()[0]
    if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== 'catch' || !handler) continue
    if (!Node.isArrowFunction(handler) && !Node.isFunctionExpression(handler)) continue
    const param = handler.getParameters()[0]?.getNameNode()
    if (param && Node.isIdentifier(param)) counts.set(param.getText(), (counts.get(param.getText()) ?? 0) + 1)
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([name]) => name)
}

/** A variable or parameter of that name is in scope at `site` (the handler's parameter would hide it). */
function declaredAround(site: Node, name: string): boolean {
  return site.getAncestors().some((scope) => {
    if (Node.isBlock(scope) || Node.isSourceFile(scope)) {
      return scope.getStatements().some((statement) => Node.isVariableStatement(statement) && statement.getDeclarations().some((decl) => identifierNames(decl.getNameNode()).has(name)))
    }
    return (Node.isArrowFunction(scope) || Node.isFunctionExpression(scope) || Node.isFunctionDeclaration(scope) || Node.isMethodDeclaration(scope)) && scope.getParameters().some((p) => identifierNames(p.getNameNode()).has(name))
  })
}

/** Every name the node reads is declared in it, outside the file, or in a scope around `site`. */
function readsOnlyVisible(node: Node, site: Node): boolean {
  return identifiers(node).every((id) => {
    const decl = localDeclarations(id)[0]
    if (!decl || decl.getAncestors().includes(node)) return true
    const scope = scopeOf(decl)
    return scope !== undefined && site.getAncestors().includes(scope)
  })
}

/** A loader the reset handler can call from `site`: declared in a scope around it, or a method of the same object. */
function visibleAt(loader: Loader, site: Node): boolean {
  if (loader.callee.startsWith('this.')) {
    const method = site.getFirstAncestor((a) => Node.isMethodDeclaration(a) || Node.isFunctionDeclaration(a) || Node.isFunctionExpression(a))
    return method !== undefined && Node.isMethodDeclaration(method) && method.getParent() === loader.fn.getParent()
  }
  const declaration = Node.isFunctionDeclaration(loader.fn) ? loader.fn : loader.fn.getParent()
  const scope = declaration && scopeOf(declaration)
  return scope !== undefined && site.getAncestors().includes(scope)
}

/** The block, function or file a declaration is visible in. */
function scopeOf(declaration: Node): Node | undefined {
  return declaration.getFirstAncestor((a) => Node.isBlock(a) || Node.isSourceFile(a) || Node.isArrowFunction(a) || Node.isFunctionExpression(a) || Node.isFunctionDeclaration(a) || Node.isMethodDeclaration(a))
}

/** The group's listeners are separated by blank lines: the reset handler is too. */
function spacedApart(group: ListenerGroup): boolean {
  const statements = group.listeners.map((use) => use.call!.getParent()!).sort((a, b) => a.getStart() - b.getStart())
  const text = group.last.getSourceFile().getFullText()
  return statements.some((statement, i) => i > 0 && /\n[ \t]*\n/.test(text.slice(statements[i - 1]!.getEnd(), statement.getStart())))
}

function reportStale(ed: ScriptEditor, group: ListenerGroup, stranded: Loader[]): void {
  const state = [...new Set(group.state.values())].map((name) => `\`${name}\``).join(', ')
  const access = group.listeners[0]!.access
  const receiver = `${access.getExpression().getText()}${access.hasQuestionDotToken() ? '?.' : '.'}onReset`
  const loaders = stranded.map((loader) => `${loader.callee}()`).join(', ')
  ed.report(
    group.listeners[0]!.call!,
    'client/reset-not-wired',
    stranded.length > 0
      ? `these listeners keep ${state} up to date from the stream; when it cannot replay what it missed while away (a reset), ${loaders} would reload it, but the tool cannot tell with which arguments or cannot call it from here`
      : `these listeners keep ${state} up to date from the stream; when it cannot replay what it missed while away (a reset), nothing here reloads it, so the page stays stale until it is reloaded`,
    `call ${receiver}(() => …) after these listeners with the code that loads what the page shows${stranded.length > 0 ? ` (${loaders} with the values the page shows)` : ' (the REST call that first filled it)'}`,
  )
}
