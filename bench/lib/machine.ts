import { cpus, totalmem } from 'node:os'

export interface MachineInfo {
  date: string
  cpus: number
  cpuModel: string
  memoryGiB: number
  node: string
  platform: string
}

export function machineInfo(): MachineInfo {
  return {
    date: new Date().toISOString(),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  }
}
