import { Project, type FileSystemHost } from 'ts-morph'

/**
 * The file system the ts-morph project sees: a file the engine has read comes from its snapshot (the
 * text the analysis, the diff and the apply check all use), anything else from disk. It also spares
 * a second parse: creating a source file over a path that exists made ts-morph parse the file on
 * disk first. ts-morph never writes here; only the engine touches the disk.
 */
export function snapshotFileSystem(textOf: (absPath: string) => string | undefined): FileSystemHost {
  const disk = new Project({ skipLoadingLibFiles: true }).getFileSystem()
  const refuse = (operation: string) => (): never => {
    throw new Error(`ts-morph tried to ${operation}: the engine alone writes to the repo`)
  }
  return {
    isCaseSensitive: () => disk.isCaseSensitive(),
    readFileSync: (filePath, encoding) => textOf(filePath) ?? disk.readFileSync(filePath, encoding),
    readFile: async (filePath, encoding) => textOf(filePath) ?? disk.readFile(filePath, encoding),
    fileExistsSync: (filePath) => textOf(filePath) !== undefined || disk.fileExistsSync(filePath),
    fileExists: async (filePath) => textOf(filePath) !== undefined || disk.fileExists(filePath),
    readDirSync: (dirPath) => disk.readDirSync(dirPath),
    directoryExistsSync: (dirPath) => disk.directoryExistsSync(dirPath),
    directoryExists: (dirPath) => disk.directoryExists(dirPath),
    realpathSync: (path) => disk.realpathSync(path),
    getCurrentDirectory: () => disk.getCurrentDirectory(),
    glob: (patterns) => disk.glob(patterns),
    globSync: (patterns) => disk.globSync(patterns),
    delete: refuse('delete a file'),
    deleteSync: refuse('delete a file'),
    writeFile: refuse('write a file'),
    writeFileSync: refuse('write a file'),
    mkdir: refuse('create a directory'),
    mkdirSync: refuse('create a directory'),
    move: refuse('move a file'),
    moveSync: refuse('move a file'),
    copy: refuse('copy a file'),
    copySync: refuse('copy a file'),
  }
}
