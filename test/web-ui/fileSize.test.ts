/** Sizes of files as the item view's Files section shows them (web-ui/src/fileSize.ts). */
import { describe, expect, it } from 'vitest'
import { fileSize } from '../../web-ui/src/fileSize.js'

describe('fileSize', () => {
  it('counts bytes up to 1,023, with one byte singular', () => {
    expect(fileSize(0)).toBe('0 bytes')
    expect(fileSize(1)).toBe('1 byte')
    expect(fileSize(1023)).toBe('1023 bytes')
  })

  it('shows one decimal below 10 units and whole units from there, in units of 1,024 bytes', () => {
    expect(fileSize(1024)).toBe('1.0 KB')
    expect(fileSize(1536)).toBe('1.5 KB')
    expect(fileSize(10 * 1024)).toBe('10 KB')
    expect(fileSize(9.96 * 1024)).toBe('10 KB')
    expect(fileSize(500 * 1024)).toBe('500 KB')
    // the daemon's default limit, as its refusal names it
    expect(fileSize(25 * 1024 * 1024)).toBe('25 MB')
    expect(fileSize(3 * 1024 ** 3)).toBe('3.0 GB')
    expect(fileSize(2 * 1024 ** 5)).toBe('2048 TB')
  })

  it('moves up a unit rather than show 1024 of one', () => {
    expect(fileSize(1024 * 1024 - 1)).toBe('1.0 MB')
    expect(fileSize(1023.4 * 1024)).toBe('1023 KB')
  })

  it('says the size is unknown for what is not a size', () => {
    expect(fileSize(-1)).toBe('unknown size')
    expect(fileSize(Number.NaN)).toBe('unknown size')
    expect(fileSize(Number.POSITIVE_INFINITY)).toBe('unknown size')
  })
})
