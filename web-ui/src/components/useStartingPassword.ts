/** A new item starts with a generated password (newcomer report F36), unless the person typed one first. */
import { useEffect } from 'preact/hooks'
import { api } from '../api.js'
import { GENERATOR_DEFAULTS } from '../generatorDefaults.js'

/** When `active`, asks the daemon's generator once and hands the password to `use` (which keeps a typed one). */
export function useStartingPassword(active: boolean, use: (password: string) => void): void {
  useEffect(() => {
    if (!active) return
    let stale = false
    api.generate(GENERATOR_DEFAULTS).then(
      r => {
        if (!stale) use(r.password)
      },
      () => {
        // no generated password (the daemon locked meanwhile): the field stays empty, as before
      }
    )
    return () => {
      stale = true
    }
  }, [])
}
