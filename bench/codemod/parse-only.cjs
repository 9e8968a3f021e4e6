// A jscodeshift transform that only parses: the least any jscodeshift-based codemod pays per file.
// .ts files go through jscodeshift's own parser (run with --parser=tsx). For .vue files jscodeshift has
// no parser, so this does what jscodeshift Vue codemods do: take each <script> / <script setup> block
// with @vue/compiler-sfc and hand its code to the same parser.
const { parse: parseSfc } = require('@vue/compiler-sfc')

module.exports = function parseOnly(file, api) {
  const j = api.jscodeshift
  if (file.path.endsWith('.vue')) {
    const { descriptor } = parseSfc(file.source, { filename: file.path })
    for (const block of [descriptor.script, descriptor.scriptSetup]) {
      if (block) j(block.content)
    }
  } else {
    j(file.source)
  }
  // Unchanged source: jscodeshift counts the file as "unmodified" and writes nothing.
  return file.source
}

module.exports.parser = 'tsx'
