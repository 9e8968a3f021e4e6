// The floor of any codemod: list the repo's source files with fast-glob and read every byte, no parsing.
// Plain JS run by `node`, like the tool's bin, so neither pays a TypeScript loader at start-up.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import fg from 'fast-glob'

const root = process.argv[2]
if (!root) {
  console.error('usage: node floor.mjs <dir>')
  process.exit(2)
}
const files = await fg(['**/*.{ts,js,mts,mjs,vue}'], {
  cwd: root,
  dot: true,
  ignore: ['**/node_modules/**', '**/.nuxt/**', '**/.output/**', '**/dist/**', '**/.git/**'],
})
let bytes = 0
// Bounded concurrency, as a real tool reading files would do.
const queue = [...files]
await Promise.all(Array.from({ length: 16 }, async () => {
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    const content = await readFile(join(root, file))
    bytes += content.length
  }
}))
console.log(JSON.stringify({ files: files.length, bytes }))
