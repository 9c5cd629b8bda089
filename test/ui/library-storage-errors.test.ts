import { describe, expect, it } from 'vitest';
import { isQuotaError, storageWriteError } from '../../src/ui/library/storage-errors';

const domError = (name: string, code = 0) => Object.assign(new Error(`${name} happened`), { name, code });

describe('isQuotaError', () => {
  it('knows a full quota by name or legacy code', () => {
    expect(isQuotaError(domError('QuotaExceededError'))).toBe(true);
    expect(isQuotaError(domError('NS_ERROR_DOM_QUOTA_REACHED'))).toBe(true);
    expect(isQuotaError(domError('Error', 22))).toBe(true);
  });

  it('does not take other failures for one', () => {
    expect(isQuotaError(domError('AbortError', 20))).toBe(false);
    expect(isQuotaError(null)).toBe(false);
    expect(isQuotaError('QuotaExceededError')).toBe(false);
  });
});

describe('storageWriteError', () => {
  it('says storage is full and nothing changed, also when only the aborted transaction knows', () => {
    const direct = storageWriteError(domError('QuotaExceededError'), null, "store part model 'bottle' (22.2 MiB)");
    const viaAbort = storageWriteError(domError('AbortError'), domError('QuotaExceededError'), "store part model 'bottle' (22.2 MiB)");
    for (const e of [direct, viaAbort]) {
      expect(e.message).toMatch(/^browser storage is full: could not store part model 'bottle' \(22\.2 MiB\); nothing was changed/);
    }
  });

  it("reports another failure with the transaction's reason", () => {
    const e = storageWriteError(domError('AbortError'), domError('UnknownError'), 'delete part model x@1');
    expect(e.message).toBe("could not delete part model x@1 in this browser's storage (UnknownError happened); nothing was changed");
  });
});
