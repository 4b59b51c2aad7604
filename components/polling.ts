/** How often a view polls while something it shows can still change. */
export const LIVE_POLL_MS = 2000;
/** How often a list polls when nothing on it is moving, so runs started elsewhere still appear. */
export const IDLE_POLL_MS = 30_000;
