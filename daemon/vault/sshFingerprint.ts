/** The SHA-256 fingerprint of an OpenSSH public key line, as `ssh-keygen -l` prints it (`SHA256:` + unpadded base64). */
import { createHash } from 'node:crypto'

/** `SHA256:…` for a line `TYPE BASE64 [comment]` whose key blob names the same TYPE; '' for anything else. */
export function sshFingerprint(line: string): string {
  const [type, b64] = line.trim().split(/\s+/)
  if (type === undefined || b64 === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return ''
  const blob = Buffer.from(b64, 'base64')
  if (blob.length < 4) return ''
  const nameLength = blob.readUInt32BE(0)
  if (nameLength + 4 > blob.length || blob.subarray(4, 4 + nameLength).toString('latin1') !== type) return ''
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`
}
