/** Which unlock slot a request opens, and the secret that opens it (Keyring.withRootKey). */
import type { SlotSecret } from './UnlockSlot.js'
import type { UnlockRequest } from './UnlockRequest.js'
import { PASSWORD_METHOD_ID, type UnlockMethodInfo, type UnlockMethods } from './UnlockMethods.js'
import { parseRecoveryKey } from './recoveryKey.js'
import { NotInitializedError, PasskeyRequiredError, UnlockMethodError, UnlockMethodNotFoundError } from './errors.js'

export interface SlotContext {
  initialized: boolean
  /** true when the device unlocks only with the password and a passkey together */
  twoFactor: () => Promise<boolean>
}

export async function slotForRequest(
  methods: UnlockMethods,
  request: UnlockRequest,
  context: SlotContext
): Promise<{ info: UnlockMethodInfo; slot: Uint8Array; secret: SlotSecret }> {
  switch (request.kind) {
    case 'password': {
      const found = await methods.get(PASSWORD_METHOD_ID)
      if (found === undefined) throw (await context.twoFactor()) ? new PasskeyRequiredError() : new NotInitializedError()
      return { ...found, secret: { kind: 'password', password: request.password } }
    }
    case 'recovery-key': {
      const method = (await methods.list()).find(m => m.kind === 'recovery-key')
      const found = method === undefined ? undefined : await methods.get(method.id)
      if (found === undefined) {
        if (!context.initialized) throw new NotInitializedError()
        throw new UnlockMethodError('this device has no recovery key')
      }
      return { ...found, secret: { kind: 'recovery-key', key: parseRecoveryKey(request.recoveryKey) } }
    }
    case 'passkey':
    case 'password+passkey': {
      const found = await methods.get(request.methodId)
      if (found === undefined || found.info.kind !== request.kind) throw new UnlockMethodNotFoundError(request.methodId)
      const secret: SlotSecret =
        request.kind === 'passkey'
          ? { kind: 'passkey', prfOutput: request.prfOutput }
          : { kind: 'password+passkey', password: request.password, prfOutput: request.prfOutput }
      return { ...found, secret }
    }
  }
}
