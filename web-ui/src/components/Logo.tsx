/** The Kith mark and name. */
export function Logo({ small = false }: { small?: boolean }) {
  return (
    <div class={small ? 'logo small' : 'logo'}>
      <svg viewBox="0 0 32 32" width={small ? 24 : 36} height={small ? 24 : 36} aria-hidden="true">
        <rect width="32" height="32" rx="8" class="logo-bg" />
        <path d="M11 8v16M11 16l9-8M14 13.5 21 24" class="logo-mark" />
      </svg>
      <span>Kith</span>
    </div>
  )
}
