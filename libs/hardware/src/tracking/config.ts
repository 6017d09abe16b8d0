/**
 * Whether tip and volume tracking are on by default. Each tracker can override it
 * (`enable()` / `disable()`); `undefined` follows these defaults.
 */
export const tracking = { tips: true, volumes: true };

export function setTipTracking(enabled: boolean): void {
  tracking.tips = enabled;
}

export function setVolumeTracking(enabled: boolean): void {
  tracking.volumes = enabled;
}
