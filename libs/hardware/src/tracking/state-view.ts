/** A resource's tracked state as a display needs it: a tip spot's `{ hasTip }`, a container's `{ volume }` (µL). */
export type ResourceStateView = { hasTip: boolean } | { volume: number } | Record<string, unknown>;

/**
 * Tracker states (TipTracker / VolumeTracker serializations, as `serializeAllState()` gives them)
 * reduced to what a display draws: whether a tip spot holds a tip, how much a container holds.
 */
export function stateView(states: Record<string, unknown>): Record<string, ResourceStateView> {
  const out: Record<string, ResourceStateView> = {};
  for (const [name, raw] of Object.entries(states)) {
    const s = (raw ?? {}) as Record<string, unknown>;
    if ('tip' in s) out[name] = { hasTip: s.tip !== null && s.tip !== undefined };
    else if ('volume' in s) out[name] = { volume: s.volume as number };
    else out[name] = s;
  }
  return out;
}
