/** A file's size for people: "1 byte", "512 bytes", "1.5 KB", "25 MB" (units of 1,024 bytes). */

const UNITS = ['KB', 'MB', 'GB', 'TB'] as const

export function fileSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return 'unknown size'
  if (bytes < 1024) return `${bytes} byte${bytes === 1 ? '' : 's'}`
  let value = bytes / 1024
  let unit = 0
  // move up a unit when the figure would round to 1024 (1,048,575 bytes is "1.0 MB", not "1024 KB")
  while (unit < UNITS.length - 1 && Math.round(value) >= 1024) {
    value /= 1024
    unit++
  }
  const shown = value < 9.95 ? value.toFixed(1) : String(Math.round(value))
  return `${shown} ${UNITS[unit]}`
}
