/**
 * Preloaded (`node --import`) into the tool by the transform-phase comparison: the process's CPU
 * time at each `[<transform>] <n> ms` line the tool's --verbose prints when a transform ends,
 * written as JSON to $BENCH_PHASE_CPU_FILE on exit. Works on any build of the tool, old or new,
 * since it only watches stderr.
 */
import { writeFileSync } from 'node:fs'

const file = process.env.BENCH_PHASE_CPU_FILE
if (file) {
  const ends = []
  const write = process.stderr.write.bind(process.stderr)
  process.stderr.write = (chunk, ...rest) => {
    const { user, system } = process.cpuUsage()
    // eslint-disable-next-line no-control-regex
    const text = String(chunk).replace(/\x1b\[[0-9;]*m/g, '')
    for (const match of text.matchAll(/^\[([a-z-]+)\] \d+ ms$/gm)) ends.push({ transform: match[1], cpuUs: user + system })
    return write(chunk, ...rest)
  }
  process.on('exit', () => writeFileSync(file, JSON.stringify(ends)))
}
