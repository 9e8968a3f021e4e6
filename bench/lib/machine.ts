import { cpus, loadavg, totalmem } from 'node:os'

export interface MachineInfo {
  date: string
  cpus: number
  cpuModel: string
  memoryGiB: number
  node: string
  platform: string
  /** 1-minute load average when the run started: other work on the machine skews timings. */
  loadAtStart: number
}

/** The 1-minute load average, for the record. */
export function load1m(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100
}

export function machineInfo(): MachineInfo {
  return {
    date: new Date().toISOString(),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadAtStart: load1m(),
  }
}
