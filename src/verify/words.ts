const IDENTIFIER = /[A-Za-z_$][\w$]*/g

/** Every identifier-like word of the texts, in strings and comments too (for the lib trimming, more words only keep more of the lib). */
export function wordsOf(texts: Iterable<string>): Set<string> {
  const words = new Set<string>()
  for (const text of texts) for (const word of text.match(IDENTIFIER) ?? []) words.add(word)
  return words
}
