import { readFileSync } from 'node:fs'
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import kleur from 'kleur'
import { isPackageManager, PACKAGE_MANAGERS, type PackageManager } from './pm/detect.js'
import { EXIT, run, type RunEnvironment, type RunOptions } from './run.js'

// package.json sits one level above src/ and two above dist/src/ (the built CLI).
const packageJsonUrl = new URL(import.meta.url.includes('/dist/') ? '../../package.json' : '../package.json', import.meta.url)
const version = (JSON.parse(readFileSync(packageJsonUrl, 'utf8')) as { version: string }).version

const EXIT_CODES_HELP = `
Exit codes:
  0  done, or nothing to do
  1  --check found work (changes or open follow-ups), or the package-manager step failed after writing
  2  bad usage or bad input (nothing written)
  3  the migration failed (nothing written; a failed apply restores every file it had written)

Examples:
  tutor-sse-migrate --dry-run              show the whole plan as a diff, write nothing
  tutor-sse-migrate --patch sse.patch      write the plan as a patch for git apply
  tutor-sse-migrate --check --reporter github   CI: fail while work remains
  tutor-sse-migrate                        apply (refuses a dirty git tree), then run the package manager
  tutor-sse-migrate --undo                 restore the tree from before the last apply`

function list(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)]
}

function repeat(value: string, previous: string[] = []): string[] {
  return [...previous, value]
}

function packageManager(value: string): PackageManager {
  if (!isPackageManager(value)) throw new InvalidArgumentError(`expected one of ${PACKAGE_MANAGERS.join(', ')}`)
  return value
}

interface CliFlags {
  dryRun?: boolean
  patch?: string
  check?: boolean
  json?: string | true
  reporter?: 'github'
  only?: string[]
  skip?: string[]
  list?: boolean
  allowDirty?: boolean
  force?: boolean
  verify?: boolean
  install: boolean
  packageManager?: PackageManager
  verbose?: boolean
  color: boolean
  undo?: boolean
  config?: string
  roomPrefix?: string[]
}

function buildProgram(env: RunEnvironment): Command {
  return new Command()
    .name('tutor-sse-migrate')
    .description('Migrate a Nuxt app from Socket.IO to Server-Sent Events.')
    .version(env.version)
    .argument('[dir]', 'root of the Nuxt app (package.json + nuxt.config)', '.')
    .option('--dry-run', 'print the whole plan as a coloured unified diff; write nothing')
    .option('--patch <file>', 'write the plan as a git-style patch (`-` for stdout); write nothing else')
    .option('--check', 'CI mode: write nothing; exit 1 while changes or open follow-ups remain')
    .option('--json [file]', 'write a versioned JSON report to stdout or a file')
    .addOption(new Option('--reporter <name>', 'also print follow-ups as CI annotations').choices(['github']))
    .option('--only <ids>', 'run only these transforms (comma-separated, repeatable)', list)
    .option('--skip <ids>', 'skip these transforms (comma-separated, repeatable)', list)
    .option('--list', 'list the transforms and exit')
    .option('--allow-dirty', 'apply although the git working tree has uncommitted changes')
    .option('--force', 'keep a plan whose output the verify stage finds cannot run (a name nothing provides, a member the SSE handle lacks), listing each place as a follow-up')
    .option('--verify', "run the app's own checks (nuxi prepare, typecheck, build) on a scratch copy before and after the migration; new errors are follow-ups, and apply refuses them unless --force")
    .option('--no-install', 'do not run the package manager after applying')
    .option('--package-manager <name>', `override the detected package manager (${PACKAGE_MANAGERS.join('|')})`, packageManager)
    .option('--config <file>', 'config file (default: tutor-sse-migrate.config.json in the repo root)')
    .option('--room-prefix <prefix=helper>', 'map a room prefix to emitToRoom or emitToUser, e.g. chat_=emitToRoom (repeatable)', repeat)
    .option('--undo', 'restore the tree from before the last apply (uses the journal, not git)')
    .option('--verbose', 'explain what happens')
    .option('--no-color', 'no colours (also: NO_COLOR, or output that is not a terminal)')
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => env.stdout.write(text),
      writeErr: (text) => env.stderr.write(text),
    })
}

/** Colour only on a terminal, never with --no-color or NO_COLOR; FORCE_COLOR turns it on. */
function useColour(flag: boolean, stream: RunEnvironment['stdout'], processEnv: NodeJS.ProcessEnv): boolean {
  if (!flag || (processEnv.NO_COLOR !== undefined && processEnv.NO_COLOR !== '')) return false
  if (processEnv.FORCE_COLOR !== undefined && processEnv.FORCE_COLOR !== '0') return true
  return Boolean(stream.isTTY)
}

/** The CLI entry point: parses argv and returns the exit code (bin/ sets process.exitCode). */
export async function main(
  argv: string[],
  overrides: Partial<RunEnvironment> & { env?: NodeJS.ProcessEnv } = {},
): Promise<number> {
  const env: RunEnvironment = {
    stdout: overrides.stdout ?? process.stdout,
    stderr: overrides.stderr ?? process.stderr,
    version,
    transforms: overrides.transforms,
  }
  const program = buildProgram(env)
  try {
    program.parse(argv)
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.badInput
    throw error
  }
  const flags = program.opts<CliFlags>()
  kleur.enabled = useColour(flags.color, env.stdout, overrides.env ?? process.env)
  if (flags.list) {
    // The transforms (and ts-morph with them) load only when needed, so --help and --version stay instant.
    const registry = env.transforms ?? (await import('../transforms/index.js')).transforms
    if (registry.length === 0) env.stdout.write('no transforms registered\n')
    const width = Math.max(0, ...registry.map((t) => t.id.length))
    for (const t of registry) env.stdout.write(`${kleur.bold(t.id.padEnd(width))}  ${t.title}\n`)
    return EXIT.ok
  }
  const options: RunOptions = {
    dir: program.args[0] ?? '.',
    dryRun: flags.dryRun,
    patch: flags.patch,
    check: flags.check,
    json: flags.json,
    reporter: flags.reporter,
    only: flags.only,
    skip: flags.skip,
    allowDirty: flags.allowDirty,
    force: flags.force,
    verify: flags.verify,
    install: flags.install,
    packageManager: flags.packageManager,
    verbose: flags.verbose,
    undo: flags.undo,
    configFile: flags.config,
    roomPrefixes: flags.roomPrefix,
  }
  return run(options, env)
}
