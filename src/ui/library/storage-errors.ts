/**
 * What a failed write to the browser's storage means to the person importing a model. Kept apart from
 * IndexedDB so the judgement can be tested without a browser.
 */

/** Names browsers give a full quota: the standard one and Firefox's older one. */
const QUOTA_NAMES = new Set(['QuotaExceededError', 'NS_ERROR_DOM_QUOTA_REACHED']);
/** Legacy DOMException code of QuotaExceededError, still set by some browsers. */
const QUOTA_CODE = 22;

/** Whether an error (or the error a transaction aborted with) says the storage quota is used up. */
export function isQuotaError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code } = error as { name?: unknown; code?: unknown };
  return (typeof name === 'string' && QUOTA_NAMES.has(name)) || code === QUOTA_CODE;
}

export const errorMessage = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * The error to show for a failed write; `action` says what it was ("store part model 'bottle' (2.0 MiB)").
 * A write is one transaction, so whatever failed, nothing was changed. A full quota often surfaces only
 * as the transaction's abort, whose own error is a plain AbortError: the transaction's error is asked too.
 */
export function storageWriteError(error: unknown, transactionError: unknown, action: string): Error {
  if (isQuotaError(error) || isQuotaError(transactionError)) {
    return new Error(
      `browser storage is full: could not ${action}; nothing was changed. Delete part models you no longer need, ` +
        `or allow this site more storage in the browser's settings`,
    );
  }
  return new Error(`could not ${action} in this browser's storage (${errorMessage(transactionError ?? error)}); nothing was changed`);
}
