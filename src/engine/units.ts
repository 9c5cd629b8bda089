/** Sizes as people read them. Free of imports, so the page and the engine share it without pulling either's code. */

/** 3_774_873 → "3.6 MiB". */
export const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
