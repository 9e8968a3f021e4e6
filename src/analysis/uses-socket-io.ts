import type { Repo } from '../project/types.js'

const SOCKET_IO_PACKAGES = ['socket.io', 'socket.io-client', '@socket.io/redis-adapter']

/** A repo uses Socket.IO when package.json lists one of its packages or a parsed file imports one. */
export function usesSocketIO(repo: Repo): boolean {
  const pkgText = repo.readText('package.json')
  if (pkgText && SOCKET_IO_PACKAGES.some((name) => pkgText.includes(`"${name}"`))) return true
  for (const unit of repo.units.values()) {
    for (const block of unit.scripts) {
      for (const decl of block.sourceFile.getImportDeclarations()) {
        if (SOCKET_IO_PACKAGES.includes(decl.getModuleSpecifierValue())) return true
      }
    }
  }
  return false
}
