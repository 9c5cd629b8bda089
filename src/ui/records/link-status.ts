/**
 * How publishing to the plant is doing, as every tab shows it: the tab that sends sets it and tells the
 * others (changes.ts), so the readout is the same in each.
 */
import { create } from 'zustand';
import type { Transport } from './plant-settings';

export type LinkState = 'off' | 'connecting' | 'connected' | 'failing';

export interface LinkStatus {
  transport: Transport;
  state: LinkState;
  /** The last problem (never with credentials), or null. */
  detail: string | null;
}

export const LINK_OFF: LinkStatus = { transport: 'off', state: 'off', detail: null };

export const useLink = create<LinkStatus>(() => LINK_OFF);
