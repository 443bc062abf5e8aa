/** How every template is compiled, at build time (precompiled) and at run time alike. */
export const COMPILE_OPTIONS = {noEscape: true, strict: true} as const
