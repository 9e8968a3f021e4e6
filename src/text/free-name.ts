/**
 * `preferred` when it is free, else the first free of `preferred2`, `preferred3`, … A name is taken
 * when it is in the set, or when the predicate says so (a name that would shadow one in scope, or
 * one that brings a companion name the code uses already).
 */
export function freeName(preferred: string, taken: ReadonlySet<string> | ((name: string) => boolean)): string {
  const isTaken = typeof taken === 'function' ? taken : (name: string) => taken.has(name)
  if (!isTaken(preferred)) return preferred
  for (let n = 2; ; n++) if (!isTaken(`${preferred}${n}`)) return `${preferred}${n}`
}
