/**
 * Hand-written SVG grouped bar charts (no chart library): one panel per metric, stacked vertically,
 * each bar labelled with its value so the chart reads without the table.
 */

export interface Series {
  name: string
  color: string
  /** One value per group; NaN draws no bar. */
  values: number[]
}

export interface Panel {
  title: string
  unit: string
  groups: string[]
  series: Series[]
  /** Log scale for metrics that span orders of magnitude. */
  log?: boolean
}

const WIDTH = 760
const PANEL_HEIGHT = 260
const MARGIN = { top: 40, right: 20, bottom: 50, left: 70 }

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

function formatValue(v: number): string {
  if (v >= 100) return Math.round(v).toLocaleString('en-US')
  if (v >= 10) return v.toFixed(1)
  return v.toPrecision(2)
}

/** A round tick step (1, 2 or 5 × 10^k) giving about four intervals up to `max`. */
function niceStep(max: number): number {
  const raw = max / 4
  const power = 10 ** Math.floor(Math.log10(raw))
  const factor = [1, 2, 5, 10].find((f) => f * power >= raw) ?? 10
  return factor * power
}

function panelSvg(panel: Panel, offsetY: number): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right
  const plotH = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom
  const values = panel.series.flatMap((s) => s.values).filter((v) => Number.isFinite(v) && v > 0)
  const max = Math.max(...values, 1e-9)
  const min = Math.min(...values, max)
  const logMin = Math.floor(Math.log10(min))
  const logMax = Math.ceil(Math.log10(max)) === logMin ? logMin + 1 : Math.ceil(Math.log10(max))
  const step = niceStep(max)
  const top = Math.ceil((max * 1.05) / step) * step
  const scale = (v: number): number => panel.log
    ? ((Math.log10(v) - logMin) / (logMax - logMin)) * plotH
    : (v / top) * plotH
  const out: string[] = []
  out.push(`<g transform="translate(0,${offsetY})">`)
  out.push(`<text x="${MARGIN.left}" y="22" font-size="15" font-weight="bold">${escapeXml(panel.title)}</text>`)
  out.push(`<text x="14" y="${MARGIN.top + plotH / 2}" font-size="11" transform="rotate(-90 14 ${MARGIN.top + plotH / 2})" text-anchor="middle">${escapeXml(panel.unit)}${panel.log ? ' (log)' : ''}</text>`)
  // gridlines
  const ticks = panel.log
    ? Array.from({ length: logMax - logMin + 1 }, (_, i) => 10 ** (logMin + i))
    : Array.from({ length: Math.round(top / step) + 1 }, (_, i) => step * i)
  for (const tick of ticks) {
    const y = MARGIN.top + plotH - scale(tick)
    out.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#ddd"/>`)
    out.push(`<text x="${MARGIN.left - 6}" y="${(y + 4).toFixed(1)}" font-size="10" text-anchor="end">${formatValue(tick)}</text>`)
  }
  const groupW = plotW / panel.groups.length
  const barW = Math.min(40, (groupW * 0.8) / panel.series.length)
  panel.groups.forEach((group, g) => {
    const x0 = MARGIN.left + g * groupW + (groupW - barW * panel.series.length) / 2
    panel.series.forEach((series, s) => {
      const v = series.values[g] ?? Number.NaN
      if (!Number.isFinite(v) || v <= 0) {
        // no figure (e.g. the run failed): say so rather than leave a gap that reads as zero
        out.push(`<text x="${(x0 + s * barW + barW / 2 - 1).toFixed(1)}" y="${MARGIN.top + plotH - 4}" font-size="9" text-anchor="middle">n/a</text>`)
        return
      }
      const h = Math.max(1, scale(v))
      const x = x0 + s * barW
      const y = MARGIN.top + plotH - h
      out.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${series.color}"><title>${escapeXml(`${series.name} ${group}: ${formatValue(v)} ${panel.unit}`)}</title></rect>`)
      out.push(`<text x="${(x + barW / 2 - 1).toFixed(1)}" y="${(y - 3).toFixed(1)}" font-size="9" text-anchor="middle">${formatValue(v)}</text>`)
    })
    out.push(`<text x="${(MARGIN.left + g * groupW + groupW / 2).toFixed(1)}" y="${MARGIN.top + plotH + 16}" font-size="12" text-anchor="middle">${escapeXml(group)}</text>`)
  })
  // legend
  let lx = MARGIN.left
  for (const series of panel.series) {
    out.push(`<rect x="${lx}" y="${MARGIN.top + plotH + 28}" width="10" height="10" fill="${series.color}"/>`)
    out.push(`<text x="${lx + 14}" y="${MARGIN.top + plotH + 37}" font-size="11">${escapeXml(series.name)}</text>`)
    lx += 22 + series.name.length * 6.2
  }
  out.push('</g>')
  return out.join('\n')
}

export function chartSvg(title: string, panels: Panel[]): string {
  const height = 30 + panels.length * PANEL_HEIGHT
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="20" font-size="16" text-anchor="middle">${escapeXml(title)}</text>`,
    ...panels.map((panel, i) => panelSvg(panel, 30 + i * PANEL_HEIGHT)),
    '</svg>',
    '',
  ].join('\n')
}
