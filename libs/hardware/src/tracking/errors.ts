/** Errors of the physical rules: the same classes whether a tracker or a backend detects them. */
export class TrackerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A tip is already present where one is being put (a spot or a channel). */
export class HasTipError extends TrackerError {}
/** No tip where one is needed. */
export class NoTipError extends TrackerError {}
/** Less liquid than is being removed. */
export class TooLittleLiquidError extends TrackerError {}
/** Not enough room for the liquid being added (over capacity). */
export class TooLittleVolumeError extends TrackerError {}
