/**
 * What the person at the tablet must know about the history's storage: the last problem writing it (a
 * full quota above all), and how many records wait in reserve for space. Shown by the app's header.
 */
import { create } from 'zustand';

export interface RecordsStatus {
  /** The last storage problem, as a sentence; null once dismissed. */
  problem: string | null;
  /** Records held in reserve (localStorage) until the history has room for them. */
  inReserve: number;
  report(problem: string): void;
  dismiss(): void;
}

export const useRecordsStatus = create<RecordsStatus>((set) => ({
  problem: null,
  inReserve: 0,
  report: (problem) => set({ problem }),
  dismiss: () => set({ problem: null }),
}));
