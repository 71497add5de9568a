/**
 * A software WebAuthn authenticator for unit tests of the passkey ceremonies without a browser:
 * a P-256 key (ES256), 'none' attestation, the user-presence and user-verification flags, a
 * signature counter and a PRF that is HMAC-SHA256 of the salt under a per-credential secret (the
 * same 32 bytes for the same salt, as a real one). Its answers are what a browser would post.
 */
import { createHash, createHmac, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto'

type Cbor = number | string | Uint8Array | Map<number | string, Cbor>

function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n])
  if (n < 256) return Buffer.from([(major << 5) | 24, n])
  const b = Buffer.alloc(3)
  b[0] = (major << 5) | 25
  b.writeUInt16BE(n, 1)
  return b
}

function cbor(value: Cbor): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value)
  if (typeof value === 'string') return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)])
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), Buffer.from(value)])
  const parts = [head(5, value.size)]
  for (const [k, v] of value) parts.push(cbor(k), cbor(v))
  return Buffer.concat(parts)
}

const b64u = (b: Uint8Array): string => Buffer.from(b).toString('base64url')
const rpIdHash = (rpId: string): Buffer => createHash('sha256').update(rpId).digest()

export interface SoftCredential {
  id: Uint8Array
  privateKey: KeyObject
  cose: Buffer
  counter: number
  prfSecret: Buffer
}

export class SoftAuthenticator {
  readonly credentials = new Map<string, SoftCredential>()
  /** whether the person passes user verification */
  userVerified = true

  constructor(
    readonly origin: string,
    readonly rpId = 'localhost'
  ) {}

  private flags(extra: number): number {
    return 0x01 | (this.userVerified ? 0x04 : 0) | extra
  }

  /** navigator.credentials.create(): the RegistrationResponseJSON and the PRF output for `prfSalt` (base64url). */
  create(options: { challenge: string }, prfSalt: string, clientOrigin = this.origin) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const jwk = publicKey.export({ format: 'jwk' })
    const cose = cbor(
      new Map<number, Cbor>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x ?? '', 'base64url')],
        [-3, Buffer.from(jwk.y ?? '', 'base64url')]
      ])
    )
    const id = new Uint8Array(randomBytes(16))
    const credential: SoftCredential = { id, privateKey, cose, counter: 0, prfSecret: randomBytes(32) }
    this.credentials.set(b64u(id), credential)
    const idLength = Buffer.alloc(2)
    idLength.writeUInt16BE(id.length)
    const authData = Buffer.concat([
      rpIdHash(this.rpId),
      Buffer.from([this.flags(0x40)]),
      Buffer.alloc(4),
      Buffer.alloc(16),
      idLength,
      id,
      cose
    ])
    const attestationObject = cbor(
      new Map<string, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData]
      ])
    )
    const clientData = JSON.stringify({ type: 'webauthn.create', challenge: options.challenge, origin: clientOrigin, crossOrigin: false })
    return {
      response: {
        id: b64u(id),
        rawId: b64u(id),
        type: 'public-key' as const,
        response: {
          clientDataJSON: b64u(Buffer.from(clientData)),
          attestationObject: b64u(attestationObject),
          transports: ['internal']
        },
        clientExtensionResults: {}
      },
      prfOutput: this.prf(credential, prfSalt)
    }
  }

  /** navigator.credentials.get() with `credentialId`: the AuthenticationResponseJSON and the PRF output for its salt. */
  get(options: { challenge: string }, credentialId: string, prfSalt: string, clientOrigin = this.origin) {
    const credential = this.credentials.get(credentialId)
    if (credential === undefined) throw new Error('this authenticator holds no such credential')
    credential.counter += 1
    const counter = Buffer.alloc(4)
    counter.writeUInt32BE(credential.counter)
    const authData = Buffer.concat([rpIdHash(this.rpId), Buffer.from([this.flags(0)]), counter])
    const clientData = Buffer.from(
      JSON.stringify({ type: 'webauthn.get', challenge: options.challenge, origin: clientOrigin, crossOrigin: false })
    )
    const signature = sign('sha256', Buffer.concat([authData, createHash('sha256').update(clientData).digest()]), credential.privateKey)
    return {
      response: {
        id: credentialId,
        rawId: credentialId,
        type: 'public-key' as const,
        response: { clientDataJSON: b64u(clientData), authenticatorData: b64u(authData), signature: b64u(signature) },
        clientExtensionResults: {}
      },
      prfOutput: this.prf(credential, prfSalt)
    }
  }

  private prf(credential: SoftCredential, salt: string): string {
    return b64u(createHmac('sha256', credential.prfSecret).update(Buffer.from(salt, 'base64url')).digest())
  }
}
