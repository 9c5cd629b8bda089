import { describe, expect, it } from 'vitest';
import { sectionOf } from '../../src/ui/app/navigation';

describe('sectionOf', () => {
  it('reads the section from the hash, with or without a slash', () => {
    expect(sectionOf('#library')).toBe('library');
    expect(sectionOf('#/library')).toBe('library');
  });

  it('leaves a query after the section to the section', () => {
    expect(sectionOf('#history?part=bottle&verdict=fail')).toBe('history');
  });

  it('falls back to Inspect for an empty or unknown hash', () => {
    expect(sectionOf('')).toBe('inspect');
    expect(sectionOf('#nowhere')).toBe('inspect');
  });
});
