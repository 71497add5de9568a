/** What can go wrong when Kith installs, removes or inspects its login service. */
export class AutostartError extends Error {
  constructor(
    readonly code: string,
    message: string
  ) {
    super(message)
    this.name = 'AutostartError'
  }
}

/** A file at the unit's path that `kith service install` did not write: never replaced without --force. */
export class ForeignUnitError extends AutostartError {
  constructor(path: string) {
    super('not_ours', `${path} exists and was not written by kith service install (use --force to replace it)`)
    this.name = 'ForeignUnitError'
  }
}

/** A path a unit cannot name safely (relative, or with control characters, quotes or backslashes). */
export class UnsafePathError extends AutostartError {
  constructor(what: string) {
    super('unsafe_path', `cannot write a service for ${what}: it must be absolute, without control characters, quotes or backslashes`)
    this.name = 'UnsafePathError'
  }
}

/** The unit was written, but the service manager would not enable or start it. */
export class ServiceStartError extends AutostartError {
  constructor(path: string, commands: string[]) {
    super('service_failed', `wrote ${path}, but the service manager did not enable or start it; see: ${commands.join(' · ')}`)
    this.name = 'ServiceStartError'
  }
}

/** Neither systemd (Linux) nor launchd (macOS). */
export class UnsupportedPlatformError extends AutostartError {
  constructor(platform: string) {
    super('unsupported_platform', `kith service supports Linux (systemd) and macOS (launchd), not ${platform}`)
    this.name = 'UnsupportedPlatformError'
  }
}
