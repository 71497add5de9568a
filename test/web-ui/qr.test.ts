/** The pairing QR code as one SVG path (web-ui/src/qr.ts): the same dark modules as the encoder, in merged runs. */
import { describe, it, expect } from 'vitest'
import { encode } from 'uqr'
import { qrPath } from '../../web-ui/src/qr.js'

/** Paints the path's rectangles back onto a grid. */
function paint(size: number, d: string): boolean[][] {
  const grid = Array.from({ length: size }, () => Array<boolean>(size).fill(false))
  for (const m of d.matchAll(/M(\d+) (\d+)h(\d+)v1h-(\d+)z/g)) {
    const [x, y, w, back] = m.slice(1).map(Number) as [number, number, number, number]
    expect(back).toBe(w)
    for (let i = 0; i < w; i++) {
      expect(grid[y]?.[x + i], `module ${x + i},${y} painted twice`).toBe(false)
      const row = grid[y]
      if (row !== undefined) row[x + i] = true
    }
  }
  return grid
}

describe('qrPath', () => {
  const text = 'kith://pair/v1/bafy-0123456789abcdef0123456789abcdef?code=ABCD-EFGH'

  it("draws exactly the encoder's dark modules, with its border", () => {
    const { size, d } = qrPath(text)
    const { size: expected, data } = encode(text, { ecc: 'M', border: 2 })
    expect(size).toBe(expected)
    expect(paint(size, d)).toEqual(data.map(row => row.map(v => v === true)))
  })

  it('is only move, horizontal, vertical and close commands, with a horizontal run merged into one rectangle', () => {
    const { d } = qrPath(text)
    expect(d).toMatch(/^(M\d+ \d+h\d+v1h-\d+z)+$/)
    const rects = [...d.matchAll(/M(\d+) (\d+)h(\d+)/g)].map(m => m.slice(1).map(Number) as [number, number, number])
    for (let i = 1; i < rects.length; i++) {
      const [px, py, pw] = rects[i - 1] as [number, number, number]
      const [x, y] = rects[i] as [number, number, number]
      if (y === py) expect(x, `runs at ${px},${py} and ${x},${y} touch`).toBeGreaterThan(px + pw)
    }
  })
})
