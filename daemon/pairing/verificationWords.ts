/**
 * The short authentication string of a pairing: four words of the BIP-39 English list (2048 words,
 * 11 bits each, 44 bits in all) derived from the handshake transcript. Both devices show them; a
 * person compares them before approving. A relay in the middle holds two transcripts (its own device
 * id and keys on each side), so it shows different words on each side unless it guessed: the
 * joiner's nonce is committed before the inviter's is known, so it cannot search for a match.
 */
import { wordlist } from '@scure/bip39/wordlists/english.js'
import { hkdf } from '../crypto/kdf.js'

export const WORD_COUNT = 4
const BITS = 11

export function verificationWords(transcript: Uint8Array): string[] {
  const bytes = hkdf(transcript, 'kith/pair/v2/words', undefined, 8)
  let bits = 0n
  for (const b of bytes) bits = (bits << 8n) | BigInt(b)
  const words: string[] = []
  for (let i = 0; i < WORD_COUNT; i++) {
    const index = Number((bits >> BigInt(64 - BITS * (i + 1))) & 0x7ffn)
    words.push(wordlist[index] as string)
  }
  return words
}
