/** A QR code as one SVG path (no inline styles, no innerHTML), for the pairing invitation. */
import { encode } from 'uqr'

export function qrPath(text: string): { size: number; d: string } {
  const { size, data } = encode(text, { ecc: 'M', border: 2 })
  const parts: string[] = []
  for (let y = 0; y < size; y++) {
    const row = data[y] ?? []
    for (let x = 0; x < size; x++) {
      if (row[x] === true) {
        // merge horizontal runs into one rectangle
        let run = 1
        while (row[x + run] === true) run++
        parts.push(`M${x} ${y}h${run}v1h-${run}z`)
        x += run - 1
      }
    }
  }
  return { size, d: parts.join('') }
}
