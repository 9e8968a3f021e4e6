import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse as parseSfc } from '@vue/compiler-sfc'
import fg from 'fast-glob'
import ts from 'typescript'
import { afterAll, describe, expect, it } from 'vitest'
import { generateRepo, type RepoManifest } from '../../bench/codemod/generate.js'

const dirs: string[] = []
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

function generate(files: number, seed?: number): { dir: string; manifest: RepoManifest } {
  const dir = mkdtempSync(join(tmpdir(), 'bench-gen-test-'))
  dirs.push(dir)
  return { dir, manifest: generateRepo(dir, files, seed) }
}

function sourceFiles(dir: string): string[] {
  return fg.sync(['**/*.{ts,vue}'], { cwd: dir, dot: true }).sort()
}

function treeHash(dir: string): string {
  const hash = createHash('sha256')
  for (const file of fg.sync(['**/*'], { cwd: dir, dot: true }).sort()) {
    hash.update(file).update('\0').update(readFileSync(join(dir, file))).update('\0')
  }
  return hash.digest('hex')
}

/** The script code of a file: the whole .ts file, or every <script> block of a .vue file. */
function scriptsOf(path: string, text: string): string[] {
  if (!path.endsWith('.vue')) return [text]
  const { descriptor, errors } = parseSfc(text, { filename: path })
  expect(errors, path).toEqual([])
  return [descriptor.script?.content, descriptor.scriptSetup?.content].filter((s): s is string => s !== undefined)
}

describe('synthetic repo generator', () => {
  const first = generate(1000)

  it('writes the same bytes for the same seed and different bytes for another seed', () => {
    const again = generate(1000)
    expect(treeHash(again.dir)).toBe(treeHash(first.dir))
    expect(again.manifest).toEqual(first.manifest)
    expect(treeHash(generate(1000, 7).dir)).not.toBe(treeHash(first.dir))
  })

  it('writes exactly the advertised number of source files and bytes', () => {
    const files = sourceFiles(first.dir)
    expect(files).toHaveLength(1000)
    const bytes = files.reduce((sum, f) => sum + readFileSync(join(first.dir, f)).length, 0)
    expect(bytes).toBe(first.manifest.bytes)
    expect(first.manifest.files).toBe(1000)
  })

  it('makes about 1% of the files use Socket.IO, in every pattern family, and only those', () => {
    const { dir, manifest } = first
    const importing = sourceFiles(dir).filter((f) => /from '(socket\.io|socket\.io-client|@socket\.io\/redis-adapter)'/.test(readFileSync(join(dir, f), 'utf8')))
    const accessing = sourceFiles(dir).filter((f) => /useNitroApp\(\)( as any\))?\.io|globalThis\.io|getSocketIO\(\)/.test(readFileSync(join(dir, f), 'utf8')))
    const usesSocket = [...new Set([...importing, ...accessing])].sort()
    // the route stub only reserves the path: it is Socket.IO's file but holds no Socket.IO code
    expect(usesSocket).toEqual(manifest.socketFiles.filter((f) => f !== 'server/routes/socket.io.ts'))
    expect(manifest.socketFiles.length).toBeGreaterThanOrEqual(8)
    expect(manifest.socketFiles.length).toBeLessThanOrEqual(12)
    for (const kind of ['socket-plugin', 'socket-getter', 'socket-emit-route', 'socket-client-composable', 'socket-client-component'] as const) {
      expect(manifest.byKind[kind], kind).toBeGreaterThanOrEqual(1)
    }
  })

  it('includes ordinary code that says emit or io without being Socket.IO', () => {
    const { dir, manifest } = first
    const texts = sourceFiles(dir).filter((f) => !manifest.socketFiles.includes(f)).map((f) => readFileSync(join(dir, f), 'utf8'))
    expect(texts.filter((t) => /\bemit\('update:modelValue'/.test(t)).length).toBeGreaterThan(50)
    expect(texts.filter((t) => /this\.\$emit\(/.test(t)).length).toBeGreaterThan(5)
    expect(texts.filter((t) => /io = new IntersectionObserver/.test(t)).length).toBe(manifest.byKind['decoy-intersection-observer'])
    expect(texts.filter((t) => /bus\.emit\(/.test(t)).length).toBe(manifest.byKind['decoy-event-emitter'])
    for (const kind of ['page', 'component', 'composable', 'store', 'server-route', 'app-util', 'types'] as const) {
      expect(manifest.byKind[kind], kind).toBeGreaterThan(20)
    }
  })

  it('writes files that parse as TypeScript (and .vue files whose script blocks do)', () => {
    const { dir } = first
    const failures: string[] = []
    for (const file of sourceFiles(dir)) {
      for (const code of scriptsOf(file, readFileSync(join(dir, file), 'utf8'))) {
        const out = ts.transpileModule(code, { reportDiagnostics: true, fileName: 'x.ts', compilerOptions: { target: ts.ScriptTarget.ES2022 } })
        if (out.diagnostics?.length) failures.push(`${file}: ${ts.flattenDiagnosticMessageText(out.diagnostics[0]!.messageText, ' ')}`)
      }
    }
    expect(failures).toEqual([])
  })
})
