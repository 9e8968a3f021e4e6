import type { LibDeclaration, LibManifest, LibPart } from './lib-manifest.js'

/**
 * The global names TypeScript's checker looks up by itself, whatever the code names: an array
 * literal needs `Array`, an async function `Promise`, a `for…of` `Iterable`, a decorator its
 * context. (test/verify/lib-trimming.test.ts reads them off the installed TypeScript.)
 */
export const CHECKER_GLOBALS: readonly string[] = [
  'Array', 'AsyncDisposable', 'AsyncGenerator', 'AsyncIterable', 'AsyncIterableIterator', 'AsyncIterator',
  'AsyncIteratorObject', 'Awaited', 'BigInt', 'Boolean', 'CallableFunction', 'ClassAccessorDecoratorContext',
  'ClassAccessorDecoratorResult', 'ClassAccessorDecoratorTarget', 'ClassDecoratorContext', 'ClassFieldDecoratorContext',
  'ClassGetterDecoratorContext', 'ClassMethodDecoratorContext', 'ClassSetterDecoratorContext', 'Disposable', 'Extract',
  'Function', 'Generator', 'IArguments', 'ImportAttributes', 'ImportCallOptions', 'ImportMeta', 'Iterable',
  'IterableIterator', 'Iterator', 'IteratorObject', 'IteratorReturnResult', 'IteratorYieldResult', 'NaN',
  'NewableFunction', 'NoInfer', 'NonNullable', 'Number', 'Object', 'Omit', 'Promise', 'PromiseConstructorLike',
  'PromiseLike', 'ReadonlyArray', 'Record', 'RegExp', 'String', 'Symbol', 'SymbolConstructor', 'TemplateStringsArray',
  'ThisType', 'TypedPropertyDescriptor',
]

/**
 * The members TypeScript's checker reads by itself: `await` reads `then`, `for…of` reads an
 * iterator's `next`, `return` and `throw` and their results' `value` and `done`, a property
 * descriptor's `get`, `set`, `value` and `writable`. Their types are followed as if the code named them.
 */
export const CHECKER_MEMBERS: readonly string[] = ['default', 'done', 'get', 'length', 'next', 'prototype', 'return', 'set', 'then', 'throw', 'value', 'writable']
const IMPLICIT_MEMBERS: ReadonlySet<string> = new Set(CHECKER_MEMBERS)

/** Characters of lib text. */
export function libLength(texts: Iterable<string>): number {
  let length = 0
  for (const text of texts) length += text.length
  return length
}

/** The lib a program loads: the file names to give as its `lib`, and the text of each lib file it loads. */
export interface LibLoad {
  roots: string[]
  /** Lib file name → text; a lib file not listed is loaded as TypeScript ships it. */
  texts: Map<string, string>
}

/** The files `roots` load, in the order a program loads them; undefined when one is not described. */
function loadedFiles(manifest: LibManifest, roots: readonly string[]): string[] | undefined {
  const names = new Set<string>()
  const visit = (name: string): boolean => {
    if (names.has(name)) return true
    const file = manifest.files[name]
    if (!file) return false
    names.add(name)
    return file.references.every(visit)
  }
  if (!roots.every(visit)) return undefined
  return manifest.order.filter((name) => names.has(name))
}

function reachableDeclarations(manifest: LibManifest, files: readonly string[], words: ReadonlySet<string>): Set<LibDeclaration> {
  const declarationsByName = new Map<string, LibDeclaration[]>()
  for (const name of files) {
    for (const declaration of manifest.files[name]!.declarations) {
      for (const declared of declaration.names) {
        const list = declarationsByName.get(declared)
        if (list) list.push(declaration)
        else declarationsByName.set(declared, [declaration])
      }
    }
  }

  const reached = new Set<string>()
  const included = new Set<LibDeclaration>()
  const waiting = new Map<string, LibPart[]>()
  const queue: string[] = []
  const reach = (name: string) => {
    if (reached.has(name)) return
    reached.add(name)
    queue.push(name)
  }
  const follow = (part: LibPart) => {
    if (part.name === '' || words.has(part.name) || reached.has(part.name) || IMPLICIT_MEMBERS.has(part.name)) for (const ref of part.refs) reach(ref)
    else {
      const list = waiting.get(part.name)
      if (list) list.push(part)
      else waiting.set(part.name, [part])
    }
  }
  for (const name of CHECKER_GLOBALS) reach(name)
  for (const word of words) if (declarationsByName.has(word)) reach(word)
  while (queue.length > 0) {
    const name = queue.pop()!
    const parts = waiting.get(name)
    if (parts) {
      waiting.delete(name)
      for (const part of parts) for (const ref of part.refs) reach(ref)
    }
    for (const declaration of declarationsByName.get(name) ?? []) {
      if (included.has(declaration)) continue
      included.add(declaration)
      for (const ref of declaration.refs) reach(ref)
      for (const part of declaration.parts) follow(part)
    }
  }
  return included
}

const REFERENCE_LINE = /^\/\/\/\s*<reference\s+lib=.*$/gm
const referenceTo = (fileName: string) => `/// <reference lib="${fileName.slice('lib.'.length, -'.d.ts'.length)}" />\n`

/**
 * The lib `roots` load, as the code written with `words` can reach it: the declarations of the
 * names reachable from the words and the checker's own globals, following what each kept
 * declaration names in its types. An interface member or a namespace's declaration is followed
 * only when its name is used, so `Date`'s Temporal method does not pull in Temporal unless
 * something names it. What is dropped cannot be reached by this code, except through a type that
 * names something dropped, which then resolves to `any` (on both sides of a check alike): the
 * trimming can lose a check, never add an error.
 *
 * What is kept is packed into as few files as the load order allows (each file costs TypeScript
 * more than its declarations do): the files between two module-form files share one, named after
 * the first of them so that it sorts where they did. A lib the manifest does not describe (one
 * that loads the DOM) is loaded whole.
 */
export function trimLib(manifest: LibManifest, readLib: (fileName: string) => string | undefined, words: ReadonlySet<string>, roots: readonly string[]): LibLoad {
  const files = loadedFiles(manifest, roots)
  if (!files) return { roots: [...roots], texts: new Map() }
  const included = reachableDeclarations(manifest, files, words)

  const texts = new Map<string, string>()
  let carrier: { name: string; parts: string[] } | undefined
  const close = () => {
    if (carrier) texts.set(carrier.name, carrier.parts.join('\n'))
    carrier = undefined
  }
  for (const name of files) {
    const file = manifest.files[name]!
    const text = readLib(name) ?? ''
    const kept = file.declarations.filter((declaration) => included.has(declaration))
    if (file.module) {
      close()
      if (kept.length > 0) texts.set(name, text.replace(REFERENCE_LINE, ''))
      continue
    }
    carrier ??= { name, parts: [text.slice(0, file.prologueEnd).replace(REFERENCE_LINE, '')] }
    carrier.parts.push(...kept.map((declaration) => text.slice(declaration.start, declaration.end)))
  }
  close()
  const [first, ...others] = [...texts.keys()]
  if (first === undefined) return { roots: [...roots], texts: new Map() }
  // The first file loads the others, each where the program sorts it.
  texts.set(first, others.map(referenceTo).join('') + texts.get(first)!)
  return { roots: [first], texts }
}
