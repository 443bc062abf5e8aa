/** Seconds since a `performance.now()` mark, to the hundredth: how every step and round reports its time. */
export const secondsSince = (started: number): number => Math.round((performance.now() - started) / 10) / 100

/** Milliseconds since a `performance.now()` mark, whole: for requests, which take a few. */
export const msSince = (started: number): number => Math.round(performance.now() - started)

/** Whole seconds since a `performance.now()` mark: for progress lines of work that takes minutes. */
export const wholeSecondsSince = (started: number): number => Math.round((performance.now() - started) / 1000)
