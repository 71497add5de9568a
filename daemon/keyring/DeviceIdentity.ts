/**
 * The device's Ed25519 identity (its libp2p PeerId), kept unencrypted in a 0600 file like an SSH host
 * key, so a locked daemon can still sync ciphertext. File: u8 version(1) • seed(32).
 */
import { readFile, writeFile, chmod } from 'node:fs/promises'
import { generateSigningKeyPair, publicKeyFromSeed, sign, type SigningKeyPair } from '../crypto/signing.js'
import { toHex } from '../crypto/bytes.js'
import { FormatError } from '../crypto/errors.js'

const VERSION = 1

export class DeviceIdentity {
  private constructor(private readonly keys: SigningKeyPair) {}

  /** 32-byte Ed25519 public key. */
  get publicKey(): Uint8Array {
    return this.keys.publicKey
  }
  /** Hex of the public key: the device id used in storage keys and the roster. */
  get deviceId(): string {
    return toHex(this.keys.publicKey)
  }
  /** The private seed, for the network layer to build the libp2p key from. */
  get seed(): Uint8Array {
    return this.keys.seed
  }

  sign(message: Uint8Array): Uint8Array {
    return sign(this.keys.seed, message)
  }

  static generate(): DeviceIdentity {
    return new DeviceIdentity(generateSigningKeyPair())
  }

  static fromSeed(seed: Uint8Array): DeviceIdentity {
    return new DeviceIdentity({ seed, publicKey: publicKeyFromSeed(seed) })
  }

  static async loadOrCreate(path: string): Promise<DeviceIdentity> {
    try {
      const bytes = new Uint8Array(await readFile(path))
      if (bytes.length !== 33 || bytes[0] !== VERSION)
        throw new FormatError(`device identity file ${path} is corrupt or of an unknown version`)
      return DeviceIdentity.fromSeed(bytes.slice(1))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    const identity = DeviceIdentity.generate()
    const file = new Uint8Array(33)
    file[0] = VERSION
    file.set(identity.seed, 1)
    await writeFile(path, file, { mode: 0o600, flag: 'wx' })
    await chmod(path, 0o600)
    return identity
  }
}
