/** Vault's log levels, lowest first (its -log-level flag and hclog's brackets). */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]
