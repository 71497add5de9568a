/** Which addresses a node listens on: flags, else KITH_LISTEN, else every IPv4 interface on a free port. */
export const DEFAULT_LISTEN = ['/ip4/0.0.0.0/tcp/0']

export function resolveListen(flags: string[] | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  if (flags !== undefined && flags.length > 0) return flags
  const fromEnv = env.KITH_LISTEN?.split(',')
    .map(s => s.trim())
    .filter(s => s !== '')
  return fromEnv !== undefined && fromEnv.length > 0 ? fromEnv : DEFAULT_LISTEN
}

/** For each listen address with port 0, the port bound last time on the same host (peers that knew us find us there). */
export function preferPreviousPorts(listen: string[], previous: string[]): string[] | undefined {
  let changed = false
  const out = listen.map(addr => {
    const m = /^\/(ip4|ip6)\/([^/]+)\/tcp\/0$/.exec(addr)
    if (m === null) return addr
    const prev = previous.find(
      p => p.startsWith(`/${m[1]}/${m[2]}/tcp/`) || (m[2] === '0.0.0.0' && p.startsWith('/ip4/') && /\/tcp\/\d+$/.test(p))
    )
    const port = prev === undefined ? undefined : /\/tcp\/(\d+)$/.exec(prev)?.[1]
    if (port === undefined || port === '0') return addr
    changed = true
    return `/${m[1]}/${m[2]}/tcp/${port}`
  })
  return changed ? out : undefined
}
